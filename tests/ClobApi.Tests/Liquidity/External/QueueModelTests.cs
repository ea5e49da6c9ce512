using Polysim.ClobApi.Liquidity.External;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>Research §5 test 10 on the pure models, and the split of a decrease over several internal orders.</summary>
[Trait("Mode", "Embedded")]
public sealed class QueueModelTests
{
    [Fact]
    public void Power_2_with_30_ahead_70_behind_and_a_decrease_of_10_leaves_28_45_ahead()
    {
        var front = QueueModel.Power(2).AdvanceFront(30, 70, 10);

        Assert.Equal(28.4483, front, 4); // p = 4900 / 5800 = 0.8448; 30 − 0.1552 × 10
    }

    [Fact]
    public void Risk_adverse_only_caps_the_queue_ahead_at_the_new_level_size()
    {
        var model = QueueModel.RiskAdverse;

        Assert.Equal(30, model.AdvanceFront(30, 70, 10));
        Assert.Equal(30, model.AdvanceFront(30, 70, 70));
        Assert.Equal(20, model.AdvanceFront(30, 70, 80));
        Assert.Equal(0, model.AdvanceFront(30, 70, 100));
    }

    [Theory]
    [InlineData(QueueModelKind.Power, 1)]
    [InlineData(QueueModelKind.Power, 2)]
    [InlineData(QueueModelKind.Power, 3)]
    [InlineData(QueueModelKind.Log, 0)]
    [InlineData(QueueModelKind.Power2, 2)]
    [InlineData(QueueModelKind.Log2, 0)]
    [InlineData(QueueModelKind.Power3, 2)]
    public void Every_probabilistic_family_puts_a_cancel_behind_more_often_the_further_back_the_order_stands(QueueModelKind kind, double n)
    {
        var model = new QueueModel(kind, n);
        double last = 1;
        for (var front = 0; front <= 100; front += 10)
        {
            var p = model.ProbBehind(front, 100 - front);
            Assert.InRange(p, 0, 1);
            Assert.True(p <= last + 1e-12, $"{kind}({n}): p({front}, {100 - front}) = {p} rose above {last}");
            last = p;
        }

        var advanced = model.AdvanceFront(30, 70, 10);
        Assert.InRange(advanced, 20, 30);
    }

    [Fact]
    public void Power3_and_the_log_families_match_their_formulas()
    {
        Assert.Equal(1 - Math.Pow(0.3, 2), QueueModel.Power3(2).ProbBehind(30, 70), 12);
        Assert.Equal(Math.Log(71) / (Math.Log(71) + Math.Log(31)), QueueModel.Log.ProbBehind(30, 70), 12);
        Assert.Equal(Math.Log(71) / Math.Log(101), QueueModel.Log2.ProbBehind(30, 70), 12);
        Assert.Equal(0.49, QueueModel.Power2(2).ProbBehind(30, 70), 12);
    }

    [Fact]
    public void With_one_internal_order_the_split_is_the_single_order_update_in_micro_shares()
    {
        Span<long> cuts = stackalloc long[2];

        QueueModel.Power(2).Distribute([30_000_000, 70_000_000], 10_000_000, cuts);

        Assert.Equal(1_551_724, cuts[0]); // 28.448276 shares left ahead
        Assert.Equal(8_448_276, cuts[1]);
    }

    [Fact]
    public void Over_several_internal_orders_the_cuts_add_up_never_exceed_a_segment_and_keep_queue_estimates_ordered()
    {
        var model = QueueModel.Power(2);
        long[] segments = [10_000_000, 0, 25_000_000, 5_000_000, 60_000_000];
        var cuts = new long[segments.Length];
        foreach (var decrease in new long[] { 1, 7_000_000, 33_000_000, 99_999_999, 100_000_000 })
        {
            model.Distribute(segments, decrease, cuts);

            Assert.Equal(decrease, cuts.Sum());
            long aheadBefore = 0, aheadAfter = 0;
            for (var j = 0; j < segments.Length; j++)
            {
                Assert.InRange(cuts[j], 0, segments[j]);
                aheadBefore += segments[j];
                aheadAfter += segments[j] - cuts[j];
                Assert.True(aheadAfter <= aheadBefore);
            }
        }
    }

    [Fact]
    public void Each_internal_order_of_a_level_gets_the_single_order_estimate_for_its_own_front_and_back()
    {
        var model = QueueModel.Power(2);
        long[] segments = [20_000_000, 20_000_000, 20_000_000, 20_000_000];
        var cuts = new long[4];

        model.Distribute(segments, 16_000_000, cuts);

        long front = 0, cut = 0;
        for (var i = 1; i <= 3; i++)
        {
            front += segments[i - 1];
            cut += cuts[i - 1];
            var expected = model.AdvanceFront(front / 1e6, (80_000_000 - front) / 1e6, 16);
            Assert.Equal(expected, (front - cut) / 1e6, 5);
        }

        Assert.Equal(new long[] { 1_600_000, 6_400_000, 6_400_000, 1_600_000 }, cuts); // a = 1.6, 8, 14.4 ahead of orders 1..3
    }

    [Theory]
    [InlineData("RiskAdverse", "RiskAdverse")]
    [InlineData("power(3)", "Power(3)")]
    [InlineData("Power2", "Power2(2)")]
    [InlineData(" log2 ", "Log2")]
    [InlineData("Power3(1.5)", "Power3(1.5)")]
    public void A_model_reads_back_from_its_research_name(string text, string shown)
    {
        Assert.True(QueueModel.TryParse(text, out var model));
        Assert.Equal(shown, model.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Cubic")]
    [InlineData("Log(2)")]
    [InlineData("Power(-1)")]
    [InlineData("Power(2")]
    [InlineData("3")]
    public void A_name_that_is_not_a_model_is_refused(string text) => Assert.False(QueueModel.TryParse(text, out _));

    [Fact]
    public void Risk_adverse_takes_the_whole_decrease_from_the_back()
    {
        var cuts = new long[3];

        QueueModel.RiskAdverse.Distribute([30, 40, 50], 70, cuts);

        Assert.Equal(new long[] { 0, 20, 50 }, cuts);
    }
}
