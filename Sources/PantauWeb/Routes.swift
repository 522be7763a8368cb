import Hummingbird

/// Registers every route. The order here is the order of the route table.
func registerRoutes(_ r: RouteRegistrar, _ s: AppServices, openAPI: @escaping @Sendable () -> Response) {
    AuthPages.register(r, s)
    AdminPages.register(r, s)
    SOPPages.register(r, s)
    SurveyPages.register(r, s)
    PublicSurveyPages.register(r, s)
    APIRoutes.register(r, s, openAPI: openAPI)
    SurveyAPI.register(r, s)
}
