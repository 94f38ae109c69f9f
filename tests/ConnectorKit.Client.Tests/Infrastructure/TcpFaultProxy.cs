using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ConnectorKit.Client.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy between a client and a bank that a test steers: it can reset every open connection, reset one
/// after a number of client-to-bank bytes, and be pointed at another bank (a restart on a new port). While the target
/// refuses connections, an accepted connection is closed at once, as a client sees a bank that is down.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly Task _acceptLoop;
    private long _resetAfterUpstreamBytes = -1;
    private int _accepted;
    private int _resets;

    public TcpFaultProxy(Uri target)
    {
        Target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where clients connect.</summary>
    public Uri Address { get; }

    /// <summary>The bank new connections go to; open connections keep their bank.</summary>
    public Uri Target { get; set; }

    /// <summary>Client connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections this proxy reset on purpose so far.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>Resets every open connection (TCP RST both ways), as a network fault or a crashed peer would.</summary>
    public void ResetAll()
    {
        foreach (var link in _links.Keys)
        {
            Reset(link, deliberate: true);
        }
    }

    /// <summary>Once, resets the connection that carries the <paramref name="bytes"/>-th client-to-bank byte counted from now.</summary>
    public void ResetAfterUpstreamBytes(long bytes) => Interlocked.Exchange(ref _resetAfterUpstreamBytes, bytes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links.Keys)
        {
            Reset(link, deliberate: false);
        }

        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = ConnectAsync(client);
        }
    }

    private async Task ConnectAsync(Socket client)
    {
        var bank = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            var target = Target;
            await bank.ConnectAsync(target.Host, target.Port, _stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            bank.Dispose();
            client.LingerState = new LingerOption(true, 0);
            client.Dispose();
            return;
        }

        var link = new Link(client, bank);
        _links[link] = 0;
        await Task.WhenAll(PumpAsync(link, client, bank, upstream: true), PumpAsync(link, bank, client, upstream: false));
        _links.TryRemove(link, out _);
        client.Dispose();
        bank.Dispose();
    }

    private async Task PumpAsync(Link link, Socket from, Socket to, bool upstream)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (upstream && ShouldReset(read))
                {
                    Reset(link, deliberate: true);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away (or this proxy reset the link): end both directions, so neither peer hangs.
            Reset(link, deliberate: false);
        }
    }

    private bool ShouldReset(int read)
    {
        while (true)
        {
            var remaining = Volatile.Read(ref _resetAfterUpstreamBytes);
            if (remaining < 0)
            {
                return false;
            }

            var next = remaining - read;
            if (Interlocked.CompareExchange(ref _resetAfterUpstreamBytes, next <= 0 ? -1 : next, remaining) == remaining)
            {
                return next <= 0;
            }
        }
    }

    private void Reset(Link link, bool deliberate)
    {
        if (Interlocked.Exchange(ref link.Closed, 1) != 0)
        {
            return;
        }

        if (deliberate && !_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _resets);
        }

        foreach (var socket in new[] { link.Client, link.Bank })
        {
            try
            {
                // Linger 0: close sends RST, not FIN, so the peer sees the connection torn rather than ended.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }

    private sealed class Link(Socket client, Socket bank)
    {
        public int Closed;

        public Socket Client { get; } = client;

        public Socket Bank { get; } = bank;
    }
}
