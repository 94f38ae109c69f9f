using System.Globalization;
using ConnectorKit.Grpc.InteropServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

// Usage: ConnectorKit.Grpc.InteropServer --port N [--use_tls true] [--max_receive_bytes N]
var port = 0;
var useTls = false;
int? maxReceive = 4 * 1024 * 1024;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i].TrimStart('-'))
    {
        case "port":
            port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "use_tls":
            useTls = bool.Parse(args[i + 1]);
            break;
        case "max_receive_bytes":
            maxReceive = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}. Options: --port N, --use_tls true|false, --max_receive_bytes N");
            return 2;
    }
}

await using var app = InteropServer.Create(port, useTls, maxReceive);
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
Console.WriteLine($"LISTENING {new Uri(address).Port}");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
await app.StopAsync();
return 0;
