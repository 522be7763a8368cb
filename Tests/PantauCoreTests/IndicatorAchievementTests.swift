import PantauCore
import Testing

@Suite("Indicators: achievement and colour")
struct IndicatorAchievementTests {
    @Test("Higher is better: realisation ÷ target")
    func higher() {
        let p = AchievementPolicy.standard
        #expect(p.achievement(realisation: 90, target: 80, direction: .higherIsBetter) == 112.5)
        #expect(p.achievement(realisation: 60, target: 80, direction: .higherIsBetter) == 75)
        #expect(p.achievement(realisation: 60, target: 0, direction: .higherIsBetter) == nil)
    }

    @Test("Lower is better, SAKIP formula (2t − r) ÷ t, floored at zero; the ratio formula t ÷ r")
    func lower() {
        let sakip = AchievementPolicy.standard
        #expect(sakip.achievement(realisation: 15, target: 20, direction: .lowerIsBetter) == 125)
        #expect(sakip.achievement(realisation: 30, target: 20, direction: .lowerIsBetter) == 50)
        #expect(sakip.achievement(realisation: 50, target: 20, direction: .lowerIsBetter) == 0)
        let ratio = AchievementPolicy(lowerFormula: .ratio)
        #expect(ratio.achievement(realisation: 40, target: 20, direction: .lowerIsBetter) == 50)
        #expect(ratio.achievement(realisation: 0, target: 20, direction: .lowerIsBetter) == nil)
    }

    @Test("Green from 100%, amber from 85%, red below; configurable")
    func colours() {
        let p = AchievementPolicy.standard
        #expect(p.status(100) == .green)
        #expect(p.status(99.9) == .amber)
        #expect(p.status(85) == .amber)
        #expect(p.status(84.9) == .red)
        #expect(AchievementPolicy(greenFrom: 95, amberFrom: 70).status(96) == .green)
    }

    @Test("Every metric has a family, and the case metrics need an SOP")
    func metrics() {
        for f in IndicatorFamily.allCases { #expect(!IndicatorMetric.of(f).isEmpty) }
        #expect(IndicatorMetric.complianceShare.needsSOP)
        #expect(!IndicatorMetric.ikm.needsSOP)
        #expect(IndicatorMetric.medianWaitMinutes.defaultDirection == .lowerIsBetter)
    }
}
