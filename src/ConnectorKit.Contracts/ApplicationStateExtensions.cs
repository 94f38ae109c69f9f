namespace ConnectorKit.Contracts.V1;

/// <summary>Names of application states as the contract writes them, for messages and logs.</summary>
public static class ApplicationStateExtensions
{
    private const string Prefix = "APPLICATION_STATE_";

    private static readonly Google.Protobuf.Reflection.EnumDescriptor Descriptor =
        CommonReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(ApplicationState));

    /// <summary>The proto name without its prefix, e.g. <c>MORE_INFO_REQUIRED</c>; <c>UNSPECIFIED</c> for a value v1 does not define.</summary>
    public static string ToContractName(this ApplicationState state)
    {
        var name = Descriptor.FindValueByNumber((int)state)?.Name;
        return name is not null && name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : "UNSPECIFIED";
    }
}
