using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Polysim.ClobApi.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class UnloggedQueryTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "wallets")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "trades")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "projection_checkpoints")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "positions")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "orders")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "balance_history")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "api_keys")
                .Annotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "accounts")
                .Annotation("Npgsql:UnloggedTable", true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "wallets")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "trades")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "projection_checkpoints")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "positions")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "orders")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "balance_history")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "api_keys")
                .OldAnnotation("Npgsql:UnloggedTable", true);

            migrationBuilder.AlterTable(
                name: "accounts")
                .OldAnnotation("Npgsql:UnloggedTable", true);
        }
    }
}
