namespace Polysim.MatchingEngine;

/// <summary>One price of one book side: a FIFO list of order slots and their total size.</summary>
internal struct Level
{
    public int Head;
    public int Tail;
    public long Size;
    public int Count;
}

/// <summary>A market's mutable state: parameters, status, collateral and its one YES-terms book.</summary>
internal sealed class MarketState
{
    public const int NoBid = 0;
    public const int NoAsk = Units.PriceScale;

    public MarketState(int id, MarketParameters parameters)
    {
        Id = id;
        Parameters = parameters;
        Tick = parameters.TickSize;
        for (var i = 0; i < Bids.Length; i++)
        {
            Bids[i].Head = Bids[i].Tail = -1;
            Asks[i].Head = Asks[i].Tail = -1;
        }
    }

    public int Id { get; }

    public MarketParameters Parameters { get; }

    public int Tick { get; set; }

    public MarketStatus Status { get; set; }

    /// <summary>Micro-USDC locked behind the outstanding YES/NO pairs (= YES supply = NO supply).</summary>
    public long Collateral { get; set; }

    /// <summary>YES price of the last trade, 0 when none.</summary>
    public int LastTradePrice { get; set; }

    /// <summary>Highest YES bid, <see cref="NoBid"/> when the bid side is empty.</summary>
    public int BestBid { get; set; } = NoBid;

    /// <summary>Lowest YES ask, <see cref="NoAsk"/> when the ask side is empty.</summary>
    public int BestAsk { get; set; } = NoAsk;

    public int OpenOrders { get; set; }

    public Level[] Bids { get; } = new Level[Units.PriceScale];

    public Level[] Asks { get; } = new Level[Units.PriceScale];

    public PriceBitset BidPrices { get; } = new();

    public PriceBitset AskPrices { get; } = new();
}
