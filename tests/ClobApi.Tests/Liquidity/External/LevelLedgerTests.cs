using Polysim.ClobApi.Liquidity.External;

namespace Polysim.ClobApi.Tests.Liquidity.External;

/// <summary>The consumption ledger (research §4.3) and print/depth pairing (§4.2) of one level, without an engine.</summary>
[Trait("Mode", "Embedded")]
public sealed class LevelLedgerTests
{
    private const long S = 1_000_000;

    [Fact]
    public void Sticky_consumption_shows_only_growth_after_an_update()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);
        level.OnConsumed(80 * S, 0);

        level.OnUpdate(100 * S, 1, ConsumptionLedgerMode.Sticky);
        Assert.Equal(20 * S, level.Available);

        level.OnUpdate(110 * S, 2, ConsumptionLedgerMode.Sticky);
        Assert.Equal(30 * S, level.Available); // min(110, 20 + 10)

        level.OnUpdate(25 * S, 3, ConsumptionLedgerMode.Sticky);
        Assert.Equal(25 * S, level.Available); // min(25, 30)
    }

    [Fact]
    public void Reset_on_update_forgets_consumption_at_the_next_update_of_the_level()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);
        level.OnConsumed(80 * S, 0);

        level.OnUpdate(101 * S, 1, ConsumptionLedgerMode.ResetOnUpdate);

        Assert.Equal(101 * S, level.Available);
    }

    [Fact]
    public void Consumption_is_forgotten_after_the_TTL_and_not_before()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);
        level.OnConsumed(50 * S, 1_000);

        level.Expire(1_000 + 29_999_999_999, 0, 30_000_000_000);
        Assert.Equal(50 * S, level.Available);

        level.Expire(1_000 + 30_000_000_000, 0, 30_000_000_000);
        Assert.Equal(100 * S, level.Available);
    }

    [Fact]
    public void A_print_then_its_depth_update_take_the_size_off_once()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);

        var budget = level.OnPrint(30 * S, 5, 0);
        Assert.Equal(30 * S, budget);
        Assert.Equal(70 * S, level.Available);

        level.OnUpdate(70 * S, 5, ConsumptionLedgerMode.Sticky);
        Assert.Equal(70 * S, level.Available);
        Assert.Equal(0, level.UnpairedDecrease);
    }

    [Fact]
    public void A_depth_update_then_its_print_inside_the_window_take_the_size_off_once()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);

        level.OnUpdate(70 * S, 5, ConsumptionLedgerMode.Sticky);
        var budget = level.OnPrint(30 * S, 5, 0);

        Assert.Equal(70 * S, level.Available);
        Assert.Equal(0, budget);
    }

    [Fact]
    public void A_print_after_the_window_is_not_paired_with_an_old_decrease()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);
        level.OnUpdate(70 * S, 5, ConsumptionLedgerMode.Sticky);

        level.Expire(2_000_000, 1_000_000, 0);
        var budget = level.OnPrint(30 * S, 2_000_000, 1_000_000);

        Assert.Equal(30 * S, budget);
        Assert.Equal(40 * S, level.Available);
    }

    [Fact]
    public void A_print_first_explains_what_internal_participants_already_consumed()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);
        level.OnConsumed(20 * S, 0);

        var budget = level.OnPrint(30 * S, 1, 0);
        level.OnUpdate(70 * S, 1, ConsumptionLedgerMode.Sticky);

        Assert.Equal(10 * S, budget);
        Assert.Equal(70 * S, level.Available);
        Assert.Equal(0, level.Consumed);
    }

    [Fact]
    public void A_depth_decrease_with_an_unexplained_part_leaves_only_that_part_to_the_queue_model()
    {
        var level = default(LevelLedger);
        level.Reset(100 * S);
        level.OnPrint(30 * S, 1, 0);

        level.OnUpdate(60 * S, 1, ConsumptionLedgerMode.Sticky);

        Assert.Equal(60 * S, level.Available);
        Assert.Equal(10 * S, level.UnpairedDecrease);
    }
}
