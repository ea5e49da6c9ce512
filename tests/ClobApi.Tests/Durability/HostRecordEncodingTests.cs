using System.Buffers;
using System.Text;
using System.Text.Json;
using Polysim.ClobApi.Hosting;
using Polysim.MatchingEngine;

namespace Polysim.ClobApi.Tests.Durability;

public sealed class HostRecordEncodingTests
{
    private const long Ts = 1_767_225_600_000;
    private const int Wallet = 1_000;
    private const int Account = 7;

    public static TheoryData<OrderSubmitted> Orders => new()
    {
        new OrderSubmitted(42, Account, Wallet, "client-1", "71321045679252212594626385532706912750332728571942532289631379312455583992563", "limit", Ts),
        new OrderSubmitted(long.MaxValue, int.MaxValue, -1, null, "1", "market", 0, "0x" + new string('a', 64)),
        new OrderSubmitted(1, 0, 0, "ünïcødé ✓ " + new string('x', 300), "2", "limit", -5, null),
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public void An_order_record_round_trips_through_its_binary_form(OrderSubmitted record)
    {
        var bytes = record.Serialize();

        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(record, HostRecord.Deserialize(bytes));
        var buffer = new ArrayBufferWriter<byte>(4);
        record.Serialize(buffer);
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void An_order_record_is_far_smaller_in_binary_than_it_was_in_json()
    {
        var record = new OrderSubmitted(123_456, Account, Wallet, null, "71321045679252212594626385532706912750332728571942532289631379312455583992563", "limit", Ts);

        var json = JsonSerializer.SerializeToUtf8Bytes<HostRecord>(record, HostRecordJson.Default.HostRecord);

        Assert.True(record.Serialize().Length * 2 < json.Length, $"{record.Serialize().Length} B binary against {json.Length} B JSON");
    }

    [Fact]
    public void Other_host_records_stay_json()
    {
        HostRecord record = new AccountOpened(3, "alice", Polysim.Accounts.Tier.Pro, Ts);

        var bytes = record.Serialize();
        var buffer = new ArrayBufferWriter<byte>(4);
        record.Serialize(buffer);

        Assert.Equal((byte)'{', bytes[0]);
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());
        Assert.Equal(record, HostRecord.Deserialize(bytes));
    }

    [Fact]
    public void A_truncated_binary_order_record_is_refused()
    {
        var bytes = new OrderSubmitted(42, Account, Wallet, "client-1", "123", "limit", Ts).Serialize();

        for (var length = 1; length < bytes.Length; length++)
        {
            var cut = bytes[..length];
            Assert.Throws<InvalidDataException>(() => HostRecord.Deserialize(cut));
        }
    }

    [Fact]
    public void An_old_json_order_record_still_replays_into_the_order_history()
    {
        // Byte for byte what journals written before the binary form hold.
        var old = Encoding.UTF8.GetBytes(
            """{"type":"order_submitted","order_id":4,"account_id":7,"wallet_id":1000,"client_order_id":"c-old","token_id":"123","order_type":"limit","created_at_ms":1767225600000,"public_id":null}""");
        var state = new HostState(new EngineOptions { FeeAccount = 0 });
        long sequence = 0;
        void Apply(Command c) => state.ApplyCommand(c with { Sequence = ++sequence, Timestamp = Ts });
        Apply(Command.CreateMarket(0, 0, 1, new MarketParameters(100)));
        Apply(Command.RegisterAccount(0, 0, Wallet));
        Apply(Command.Deposit(0, 0, Wallet, 1_000 * Units.AmountScale));

        var record = Assert.IsType<OrderSubmitted>(HostRecord.Deserialize(old));
        state.ApplyRecord(record);
        Apply(Command.Place(0, 0, Wallet, 1, 4, Outcome.Yes, Side.Buy, 1_000, 5 * Units.AmountScale));

        var order = state.Orders.FindByClientOrderId(Account, "c-old");
        Assert.NotNull(order);
        Assert.Equal(4, order.EngineId);
        Assert.Equal("123", order.TokenId);
        Assert.Equal(Ts, order.CreatedAtMs);
        Assert.Equal(old, JsonSerializer.SerializeToUtf8Bytes<HostRecord>(record, HostRecordJson.Default.HostRecord));
    }
}
