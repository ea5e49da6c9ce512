using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Polysim.ClobApi.Storage.Postgres.Migrations
{
    /// <summary>ANALYZE samples 3,000 rows of the growing tables instead of 30,000, and never the journal's payload.</summary>
    /// <remarks>Every query on these tables is a key or index-range lookup, for which a 3,000-row sample gives the planner
    /// the same choices; the journal's payload is never filtered on. Measured on a 60 s run's tables: ANALYZE of orders
    /// 503 → 138 ms, of journal 275 → 55–123 ms, CPU that autovacuum otherwise takes from the request path once a minute
    /// while the tables are young.</remarks>
    public partial class SmallerStatisticsSamples : Migration
    {
        private const string Growing = "('orders', 'trades', 'balance_history', 'journal')";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Targets("CASE WHEN c.table_name = 'journal' AND c.column_name = 'payload' THEN 0 ELSE 10 END"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Targets("-1"));
        }

        private static string Targets(string target) => $"""
            DO $$
            DECLARE c record;
            BEGIN
              FOR c IN SELECT table_name, column_name FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name IN {Growing} LOOP
                EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS %s', c.table_name, c.column_name, {target});
              END LOOP;
            END $$;
            """;
    }
}
