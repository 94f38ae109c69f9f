namespace ConnectorKit.Grpc.Generator.Internal;

/// <summary>
/// The plugin parameter (<c>--grpc_opt</c>): comma-separated flags, as Grpc.Tools passes them from an item's
/// <c>GrpcServices</c> (<c>no_server</c> for Client, <c>no_client</c> for Server) and <c>Access</c>
/// (<c>internal_access</c>). Unknown flags are ignored, as grpc's own plugin does.
/// </summary>
internal sealed record GeneratorOptions(bool GenerateClient, bool GenerateServer, bool InternalAccess)
{
    public static readonly GeneratorOptions Default = new(GenerateClient: true, GenerateServer: true, InternalAccess: false);

    public static GeneratorOptions Parse(string? parameter)
    {
        var options = Default;
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return options;
        }

        foreach (var raw in parameter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = raw.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? raw : raw[..equals];
            options = name switch
            {
                "no_client" => options with { GenerateClient = false },
                "no_server" => options with { GenerateServer = false },
                "internal_access" => options with { InternalAccess = true },
                _ => options,
            };
        }

        return options;
    }
}
