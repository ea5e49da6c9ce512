using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Polysim.ClobApi.Storage.Postgres.Migrations
{
    /// <summary>One journal row per group commit (<see cref="JournalBatch"/>): rows written one per record become rows of
    /// one framed record each, so a journal written before this migration replays unchanged.</summary>
    public partial class JournalRowPerCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "count",
                table: "journal",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.Sql("UPDATE journal SET payload = int2send(type) || int4send(length(payload)) || payload;");

            migrationBuilder.DropColumn(
                name: "type",
                table: "journal");

            migrationBuilder.Sql("ALTER TABLE journal ALTER COLUMN count DROP DEFAULT;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Rows of one record unframe back; a row holding several cannot become one row, so going back refuses then.
            migrationBuilder.Sql("""
                DO $$
                BEGIN
                  IF EXISTS (SELECT 1 FROM journal WHERE count <> 1) THEN
                    RAISE EXCEPTION 'the journal holds rows of several records, which the one-row-per-record layout cannot hold';
                  END IF;
                END $$;
                """);

            migrationBuilder.AddColumn<short>(
                name: "type",
                table: "journal",
                type: "smallint",
                nullable: false,
                defaultValue: (short)0);

            migrationBuilder.Sql(
                "UPDATE journal SET type = (get_byte(payload, 0) * 256 + get_byte(payload, 1))::smallint, payload = substring(payload FROM 7);");

            migrationBuilder.DropColumn(
                name: "count",
                table: "journal");

            migrationBuilder.Sql("ALTER TABLE journal ALTER COLUMN type DROP DEFAULT;");
        }
    }
}
