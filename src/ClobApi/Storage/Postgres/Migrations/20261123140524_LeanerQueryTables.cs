using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Polysim.ClobApi.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class LeanerQueryTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_orders_public_id",
                table: "orders");

            migrationBuilder.DropPrimaryKey(
                name: "PK_balance_history",
                table: "balance_history");

            migrationBuilder.DropIndex(
                name: "IX_balance_history_account_id_id",
                table: "balance_history");

            migrationBuilder.AlterTable(
                name: "orders")
                .Annotation("Npgsql:StorageParameter:fillfactor", 85)
                .Annotation("Npgsql:UnloggedTable", true)
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_balance_history",
                table: "balance_history",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_orders_public_id",
                table: "orders",
                column: "public_id")
                .Annotation("Npgsql:IndexMethod", "hash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_orders_public_id",
                table: "orders");

            migrationBuilder.DropPrimaryKey(
                name: "PK_balance_history",
                table: "balance_history");

            migrationBuilder.AlterTable(
                name: "orders")
                .Annotation("Npgsql:UnloggedTable", true)
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 85)
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_balance_history",
                table: "balance_history",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "IX_orders_public_id",
                table: "orders",
                column: "public_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_balance_history_account_id_id",
                table: "balance_history",
                columns: new[] { "account_id", "id" });
        }
    }
}
