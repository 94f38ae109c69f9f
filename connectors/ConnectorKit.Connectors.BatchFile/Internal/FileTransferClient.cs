using System.Net.Http.Json;
using System.Text.Json.Serialization;
using ConnectorKit.Connectors.Http;

namespace ConnectorKit.Connectors.BatchFile.Internal;

/// <summary>The body of <c>POST /file-transfers</c>; also what a pending-notification marker holds.</summary>
internal sealed record FileTransferNotice(
    [property: JsonPropertyName("file_name")] string FileName,
    [property: JsonPropertyName("file_type")] string FileType,
    [property: JsonPropertyName("business_date")] string BusinessDate,
    [property: JsonPropertyName("record_count")] int RecordCount,
    [property: JsonPropertyName("amount_total_fen")] long AmountTotalFen,
    [property: JsonPropertyName("sha256")] string Sha256);

internal interface IFileTransferClient
{
    /// <summary>Tells the bank a file is ready; throws the mapped <see cref="Grpc.RpcException"/> on any failure.</summary>
    Task NotifyAsync(FileTransferNotice notice, CancellationToken cancellationToken);
}

internal sealed class FileTransferClient(HttpClient http, TimeProvider time) : IFileTransferClient
{
    public const string BankId = "batch-file";

    public async Task NotifyAsync(FileTransferNotice notice, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "file-transfers") { Content = JsonContent.Create(notice) };
        // The file name is the key: the bank acknowledges a repeat without registering the file twice, so retrying is safe.
        request.Headers.Add("Idempotency-Key", notice.FileName);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw BankErrorMapper.Map(ex, BankId);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await BankErrorMapper.MapAsync(response, BankId, time, cancellationToken).ConfigureAwait(false);
            }

            // Reading the whole body proves the answer arrived intact (a malformed chunk fails here, not silently).
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
