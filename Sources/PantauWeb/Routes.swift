import Hummingbird

/// Registers every route. The order here is the order of the route table.
func registerRoutes(_ r: RouteRegistrar, _ s: AppServices, openAPI: @escaping @Sendable () -> Response) {
    HomePage.register(r, s)
    LoginPage.register(r, s)
    PasswordPage.register(r, s)
    TechnicalRoutes.register(r, s)
    UnitListPage.register(r, s)
    UnitFormPage.register(r, s)
    UserListPage.register(r, s)
    UserFormPage.register(r, s)
    TokenPage.register(r, s)
    AuditPage.register(r, s)
    SOPPages.register(r, s)
    SurveyListPage.register(r, s)
    SurveyFormPage.register(r, s)
    SurveyResultsPage.register(r, s)
    SurveyReportPage.register(r, s)
    SurveyResponsesPage.register(r, s)
    SurveyImportPage.register(r, s)
    SurveyFollowUpPages.register(r, s)
    SurveyPosterPage.register(r, s)
    PublicSurveyPages.register(r, s)
    TransparencyPage.register(r, s)
    APIRoutes.register(r, s, openAPI: openAPI)
    SurveyAPI.register(r, s)
}
