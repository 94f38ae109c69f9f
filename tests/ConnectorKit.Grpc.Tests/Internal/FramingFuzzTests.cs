using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using ConnectorKit.Grpc.Internal;
using ConnectorKit.Grpc.Tests.Infrastructure;
using ConnectorKit.Grpc.Tests.Probe;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ConnectorKit.Grpc.Tests.Internal;

/// <summary>
/// Random and mutated request bodies fed to the frame reader, the gzip decoder and the protobuf marshaller, the
/// way the server reads a call. Bounded by default; a soak run sets CONNECTORKIT_FUZZ_ITERATIONS (and optionally
/// CONNECTORKIT_FUZZ_SEED to replay a failure), e.g. <c>CONNECTORKIT_FUZZ_ITERATIONS=200000 dotnet test --filter FramingFuzzTests</c>.
/// </summary>
public sealed class FramingFuzzTests : IClassFixture<ProbeServerFixture>
{
    private const int MaxReceiveSize = 64 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly GzipCompressionProvider Gzip = new();
    private static readonly Marshaller<ProbeRequest> ProbeMarshaller = Marshallers.ForProtobuf(ProbeRequest.Parser);
    private static readonly Marshaller<Struct> StructMarshaller = Marshallers.ForProtobuf(Struct.Parser);

    private readonly ProbeServerFixture _server;

    public FramingFuzzTests(ProbeServerFixture server) => _server = server;

    [Fact]
    public async Task ReadAndDecode_RandomAndMutatedBodies_SucceedOrFailWithTheDocumentedStatus()
    {
        var (seed, iterations) = Settings(defaultIterations: 2_000);
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();

        await Task.Run(() =>
        {
            for (var i = 0; i < iterations; i++)
            {
                var body = RandomBody(random);
                var segments = 1 + random.Next(4);
                var outcome = ReadAndDecode(body, segments, seed, i);
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }).WaitAsync(Timeout);

        // Without every kind of answer the generator is not exercising the reader, and the test proves little.
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("ok", StringComparison.Ordinal)) > 0, Describe(seed, outcomes));
        Assert.True(outcomes.GetValueOrDefault("Internal") > 0, Describe(seed, outcomes));
        Assert.True(outcomes.GetValueOrDefault("ResourceExhausted") > 0, Describe(seed, outcomes));
        Assert.True(outcomes.GetValueOrDefault("incomplete") > 0, Describe(seed, outcomes));
    }

    [Theory]
    [InlineData(MaxReceiveSize + 1u)]
    [InlineData(int.MaxValue)]
    [InlineData(uint.MaxValue)]
    public void TryReadMessage_LengthPrefixAboveLimitWithoutBody_RefusedBeforeWaitingOrAllocating(uint announced)
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), announced);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<RpcException>(() => MessageFraming.TryReadMessage(new ReadOnlySequence<byte>(header), MaxReceiveSize, out _, out _));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "The reader allocated for a body that never came.");
    }

    [Fact]
    public void Decompress_GzipBombAboveLimit_ResourceExhaustedWithBoundedAllocation()
    {
        var bomb = GzipBytes(new byte[16 * 1024 * 1024]);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<RpcException>(() => MessageFraming.Decompress(new ReadOnlySequence<byte>(bomb), Gzip, MaxReceiveSize));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16L * MaxReceiveSize + bomb.Length * 4L, "Decompression allocated far beyond the receive limit.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(30)]
    public void Decompress_TruncatedGzip_InternalInsteadOfAShortenedMessage(int cutFromEnd)
    {
        var whole = GzipBytes(new ProbeRequest { Text = string.Concat(Enumerable.Range(0, 200).Select(i => i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))) }.ToByteArray());
        var truncated = whole[..^(cutFromEnd + 1)];

        var error = Assert.Throws<RpcException>(() => MessageFraming.Decompress(new ReadOnlySequence<byte>(truncated), Gzip, MaxReceiveSize));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public void Decompress_GzipWithACorruptedCrc_Internal()
    {
        var gzip = GzipBytes(new ProbeRequest { Text = "checked" }.ToByteArray());
        gzip[^8] ^= 0x01;

        var error = Assert.Throws<RpcException>(() => MessageFraming.Decompress(new ReadOnlySequence<byte>(gzip), Gzip, MaxReceiveSize));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public void Decompress_WholeGzip_RoundTrips()
    {
        var message = new ProbeRequest { Text = "whole", Count = 7 };

        var bytes = MessageFraming.Decompress(new ReadOnlySequence<byte>(GzipBytes(message.ToByteArray())), Gzip, MaxReceiveSize);

        Assert.Equal(message, ProbeRequest.Parser.ParseFrom(bytes));
    }

    [Fact]
    public async Task Server_RandomBodiesOverHttp2_EveryAnswerHasAGrpcStatusAndServerKeepsServing()
    {
        var (seed, iterations) = Settings(defaultIterations: 100, scale: 20);
        var random = new Random(seed);
        using var client = new RawGrpcClient(_server.Address);
        var paths = new[] { "/connectorkit.tests.Probe/Echo", "/connectorkit.tests.Probe/Collect", "/connectorkit.tests.Probe/Chat" };

        for (var i = 0; i < iterations; i++)
        {
            var body = RandomBody(random);
            var path = paths[random.Next(paths.Length)];
            var headers = random.Next(3) == 0 ? new[] { ("grpc-encoding", "gzip") } : null;

            var response = await client.SendAsync(path, body, headers: headers).WaitAsync(Timeout);

            Assert.True(int.TryParse(response.GrpcStatus, out var status) && status is >= 0 and <= 16, $"seed {seed}, iteration {i}, {path}: HTTP {(int)response.HttpStatus} without a valid grpc-status ({response.GrpcStatus}).");
        }

        var echo = await client.SendAsync("/connectorkit.tests.Probe/Echo", RawGrpcClient.Frame(new ProbeRequest { Text = "still here" })).WaitAsync(Timeout);
        Assert.Equal("0", echo.GrpcStatus);
        Assert.StartsWith("still here", RawGrpcClient.Messages(echo.Body, ProbeReply.Parser).Single().Text);
    }

    /// <summary>
    /// Reads every frame of <paramref name="body"/> as the server does, checking the invariants on the way.
    /// Returns "ok…", "incomplete" (the body ended inside a frame) or the status code of the refusal.
    /// </summary>
    private static string ReadAndDecode(byte[] body, int segments, int seed, int iteration)
    {
        var buffer = Split(body, segments);
        var messages = 0;
        try
        {
            while (!buffer.IsEmpty)
            {
                if (!MessageFraming.TryReadMessage(buffer, MaxReceiveSize, out var compressed, out var payload))
                {
                    AssertAnnouncedLengthWithinLimit(buffer, seed, iteration);
                    return "incomplete";
                }

                Assert.True(payload.Length <= MaxReceiveSize, $"seed {seed}, iteration {iteration}: payload of {payload.Length} bytes passed a {MaxReceiveSize}-byte limit.");
                var bytes = compressed ? new ReadOnlySequence<byte>(MessageFraming.Decompress(payload, Gzip, MaxReceiveSize)) : payload;
                Assert.True(bytes.Length <= MaxReceiveSize, $"seed {seed}, iteration {iteration}: {bytes.Length} decompressed bytes passed the limit.");
                Deserialize(bytes, iteration % 2 == 0);
                messages++;
                buffer = buffer.Slice(payload.End);
            }

            return "ok " + Math.Min(messages, 3);
        }
        catch (RpcException ex)
        {
            Assert.True(ex.StatusCode is StatusCode.Internal or StatusCode.ResourceExhausted, $"seed {seed}, iteration {iteration}: unexpected status {ex.StatusCode} ({ex.Status.Detail}).");
            return ex.StatusCode.ToString();
        }
        catch (InvalidProtocolBufferException)
        {
            // The server turns a marshaller failure into INTERNAL "Failed to deserialize the request message."
            return "Internal";
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"seed {seed}, iteration {iteration}: {ex.GetType().Name} escaped the reader: {ex.Message}\nbody: {Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 256)))}");
            throw;
        }
    }

    private static void Deserialize(in ReadOnlySequence<byte> bytes, bool asStruct)
    {
        var context = new PayloadDeserializationContext();
        context.Initialize(bytes);
        if (asStruct)
        {
            StructMarshaller.ContextualDeserializer(context);
        }
        else
        {
            ProbeMarshaller.ContextualDeserializer(context);
        }
    }

    private static void AssertAnnouncedLengthWithinLimit(in ReadOnlySequence<byte> buffer, int seed, int iteration)
    {
        if (buffer.Length < 5)
        {
            return;
        }

        Span<byte> header = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(header);
        var announced = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        Assert.True(announced <= MaxReceiveSize, $"seed {seed}, iteration {iteration}: the reader waited for {announced} bytes instead of refusing them.");
    }

    private static byte[] RandomBody(Random random)
    {
        var frames = new List<byte>();
        var count = random.Next(4);
        for (var f = 0; f <= count; f++)
        {
            frames.AddRange(RandomFrame(random));
        }

        var body = frames.ToArray();
        return random.Next(5) switch
        {
            0 => Truncate(body, random),
            1 => FlipBits(body, random),
            _ => body,
        };
    }

    private static byte[] RandomFrame(Random random)
    {
        var payload = random.Next(6) switch
        {
            0 => RandomBytes(random, random.Next(64)),
            1 => new ProbeRequest { Text = new string('x', random.Next(200)), Count = random.Next() }.ToByteArray(),
            2 => NestedStruct(random.Next(1, 120)).ToByteArray(),
            3 => FlipBits(NestedStruct(random.Next(1, 10)).ToByteArray(), random),
            4 => GzipBytes(new ProbeRequest { Text = "zipped " + random.Next() }.ToByteArray()),
            _ => FlipBits(GzipBytes(RandomBytes(random, random.Next(1, 400))), random),
        };
        var compressed = payload.Length > 2 && payload[0] == 0x1f && payload[1] == 0x8b ? random.Next(8) != 0 : random.Next(8) == 0;
        var flag = random.Next(20) == 0 ? (byte)random.Next(2, 256) : (byte)(compressed ? 1 : 0);
        var length = random.Next(10) switch
        {
            0 => (uint)random.NextInt64(0, uint.MaxValue + 1L),
            1 => (uint)(payload.Length + random.Next(1, 100)),
            2 => (uint)MaxReceiveSize + (uint)random.Next(1, 1000),
            _ => (uint)payload.Length,
        };
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static Struct NestedStruct(int depth)
    {
        var value = new Struct { Fields = { ["leaf"] = Value.ForString("v") } };
        for (var d = 0; d < depth; d++)
        {
            value = new Struct { Fields = { ["n"] = Value.ForStruct(value), ["k"] = Value.ForNumber(d) } };
        }

        return value;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Truncate(byte[] body, Random random) => body.Length == 0 ? body : body[..random.Next(body.Length)];

    private static byte[] FlipBits(byte[] body, Random random)
    {
        var copy = (byte[])body.Clone();
        for (var n = random.Next(1, 4); n > 0 && copy.Length > 0; n--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] GzipBytes(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Cuts the body into segments, as the transport hands it over in pieces.</summary>
    private static ReadOnlySequence<byte> Split(byte[] body, int segments)
    {
        if (segments <= 1 || body.Length < segments)
        {
            return new ReadOnlySequence<byte>(body);
        }

        var size = body.Length / segments;
        var first = new Segment(body.AsMemory(0, size), 0);
        var last = first;
        for (var s = 1; s < segments; s++)
        {
            var start = s * size;
            var end = s == segments - 1 ? body.Length : start + size;
            last = last.Append(body.AsMemory(start, end - start));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static (int Seed, int Iterations) Settings(int defaultIterations, int scale = 1)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CONNECTORKIT_FUZZ_SEED"), out var s) ? s : Environment.TickCount;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("CONNECTORKIT_FUZZ_ITERATIONS"), out var n) && n > 0 ? Math.Max(1, n / scale) : defaultIterations;
        return (seed, iterations);
    }

    private static string Describe(int seed, Dictionary<string, int> outcomes)
        => $"seed {seed}: " + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}={o.Value}"));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
