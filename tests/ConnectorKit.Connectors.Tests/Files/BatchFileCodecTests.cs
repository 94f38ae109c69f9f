using ConnectorKit.Connectors.Files;

namespace ConnectorKit.Connectors.Tests.Files;

public sealed class BatchFileCodecTests
{
    [Fact]
    public void Write_FixedWidth_PadsFieldsAndStatesCountAndTotal()
    {
        var content = BatchFileTestLayouts.TwoPayments();

        var lines = content.Text.Split('\n');

        Assert.Equal("H|CKBF|1.0|BANKA|CKGW|20261120|PAYMENTS|payment_id:10:C,amount_fen:12:A,paid_on:8:D,note:12:C", lines[0]);
        Assert.Equal("DP1        00000001234520261120tranche one ", lines[1]);
        Assert.Equal("T|0000000002|000000000500012346", lines[3]);
        Assert.Equal((2, 500_012_346L), (content.RecordCount, content.AmountTotal));
    }

    [Fact]
    public void Read_WhatWriteProduced_SameValuesAndTotal()
    {
        var content = BatchFileCodec.Write(BatchFileTestLayouts.Names, "CKGW", "BANKA", BatchFileTestLayouts.Day,
            [["91310110666007217T", "上海测试科技有限公司", "720"], ["91440300708461136T", "深圳样例有限公司", ""]]);

        var file = BatchFileCodec.Read(content.Text, [BatchFileTestLayouts.Payments, BatchFileTestLayouts.Names]);

        Assert.Equal("NAMES", file.Header.FileType);
        Assert.Equal(["上海测试科技有限公司", "深圳样例有限公司"], file.Records.Select(r => r["name"]));
        Assert.Equal([2, 3], file.Records.Select(r => r.LineNumber));
        Assert.Equal(720, file.Records[0].Number("score"));
    }

    [Fact]
    public void Read_TrailerTotalOffByOneFen_RefusedNamingBothTotals()
    {
        var text = BatchFileTestLayouts.TwoPayments().Text.Replace("|000000000500012346", "|000000000500012347", StringComparison.Ordinal);

        var error = Assert.Throws<BatchFileFormatException>(() => BatchFileCodec.Read(text, [BatchFileTestLayouts.Payments]));

        Assert.Contains("500012347", error.Message, StringComparison.Ordinal);
        Assert.Contains("500012346", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.LineNumber);
    }

    [Theory]
    [InlineData("count", "the trailer states 3 records")]
    [InlineData("truncated", "truncated")]
    [InlineData("no-trailer", "not a trailer")]
    [InlineData("layout", "unknown layout")]
    [InlineData("fields", "field list differs")]
    [InlineData("record", "field amount_fen")]
    [InlineData("width", "characters long")]
    public void Read_DamagedFile_RefusedWithReason(string damage, string reason)
    {
        var good = BatchFileTestLayouts.TwoPayments().Text;
        var text = damage switch
        {
            "count" => good.Replace("T|0000000002", "T|0000000003", StringComparison.Ordinal),
            "truncated" => good[..^5],
            "no-trailer" => string.Join('\n', good.Split('\n')[..3]) + "\n",
            "layout" => good.Replace("|1.0|", "|9.9|", StringComparison.Ordinal),
            "fields" => good.Replace("note:12:C", "memo:12:C", StringComparison.Ordinal),
            "record" => good.Replace("000000012345", "0000000123X5", StringComparison.Ordinal),
            "width" => good.Replace("tranche one ", "tranche one", StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        var error = Assert.Throws<BatchFileFormatException>(() => BatchFileCodec.Read(text, [BatchFileTestLayouts.Payments]));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ValueHoldingTheDelimiter_Refused()
    {
        var error = Assert.Throws<ArgumentException>(() => BatchFileCodec.Write(BatchFileTestLayouts.Names, "CKGW", "BANKA", BatchFileTestLayouts.Day, [["X", "A|B", ""]]));

        Assert.Contains("delimiter", error.Message, StringComparison.Ordinal);
    }
}
