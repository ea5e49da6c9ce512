using Polysim.ClobApi.Liquidity.Recordings;

namespace Polysim.ClobApi.Tests.Liquidity.Recordings;

[Trait("Mode", "Embedded")]
public sealed class DecimalUnitsTests
{
    [Theory]
    [InlineData("0.29", 2_900)]          // 0.29 * 10000 is 2899.9999999999995 in double
    [InlineData("0.047", 470)]
    [InlineData("0.047000", 470)]
    [InlineData("0.5", 5_000)]
    [InlineData("1", 10_000)]
    [InlineData("0", 0)]
    [InlineData("5e-4", 5)]
    [InlineData("0.0001", 1)]
    public void Prices_convert_exactly_to_ten_thousandths(string text, int expected)
    {
        Assert.True(DecimalUnits.TryParsePrice(text, out var price));
        Assert.Equal(expected, price);
    }

    [Theory]
    [InlineData("0.00005")]  // below the 1e-4 grid: refused, not rounded
    [InlineData("5e-05")]
    [InlineData("0.41235")]
    [InlineData("1.0001")]   // above 1
    [InlineData("-0.5")]
    [InlineData("")]
    [InlineData("0.4.1")]
    [InlineData("abc")]
    [InlineData("1e")]
    public void Prices_off_the_grid_or_malformed_are_refused(string text) =>
        Assert.False(DecimalUnits.TryParsePrice(text, out _));

    [Theory]
    [InlineData("2228.02", 2_228_020_000L)]
    [InlineData("42.6", 42_600_000L)]
    [InlineData("1e-05", 10L)]
    [InlineData("1.5E+3", 1_500_000_000L)]
    [InlineData("0.000001", 1L)]
    [InlineData("3763", 3_763_000_000L)]
    [InlineData("000123.450000000", 123_450_000L)]
    [InlineData("100000000000", 100_000_000_000_000_000L)]
    public void Sizes_convert_exactly_to_micro_shares(string text, long expected)
    {
        Assert.True(DecimalUnits.TryParseSize(text, out var size));
        Assert.Equal(expected, size);
    }

    [Theory]
    [InlineData("0.0000001")]
    [InlineData("1.2345678")]
    [InlineData("99999999999999999999")] // beyond long micro-shares
    public void Sizes_off_the_grid_or_too_large_are_refused(string text) =>
        Assert.False(DecimalUnits.TryParseSize(text, out _));

    [Fact]
    public void Parquet_decimals_convert_exactly_and_refuse_extra_precision()
    {
        Assert.True(DecimalUnits.TryConvert(0.0123m, DecimalUnits.PriceDecimals, out var price));
        Assert.Equal(123, price);
        Assert.True(DecimalUnits.TryConvert(18.123456m, DecimalUnits.SizeDecimals, out var size));
        Assert.Equal(18_123_456, size);
        Assert.False(DecimalUnits.TryConvert(0.01234m, DecimalUnits.PriceDecimals, out _));
    }

    [Fact]
    public void Float_second_timestamps_become_nanoseconds_without_binary_rounding()
    {
        Assert.True(DecimalUnits.TryParseSecondsToNs("1776154972.2491374", out var ns));
        Assert.Equal(1_776_154_972_249_137_400L, ns);
        Assert.True(DecimalUnits.TryParseSecondsToNs("1776154972", out ns));
        Assert.Equal(1_776_154_972_000_000_000L, ns);
    }
}
