using System.Text;
using Google.Protobuf.Reflection;

namespace ConnectorKit.Grpc.Generator.Internal;

/// <summary>
/// The C# names protoc and Grpc.Tools choose, reproduced exactly: generated code must refer to the
/// message and reflection classes protoc writes, and the stub file must have the name Grpc.Tools expects.
/// </summary>
internal static class CSharpNames
{
    /// <summary>
    /// The stub file's name, as grpc's C# plugin names it and Grpc.Tools predicts it:
    /// <c>grpc/health/v1/health.proto</c> → <c>HealthGrpc.cs</c>, <c>credit_data.proto</c> → <c>CreditDataGrpc.cs</c>.
    /// Only underscores separate words; a dash is kept (<c>credit-data.proto</c> → <c>Credit-dataGrpc.cs</c>)
    /// because Grpc.Tools keeps it, and a file it does not predict is never compiled.
    /// </summary>
    public static string GrpcFileName(string protoPath) =>
        LowerUnderscoreToUpperCamel(Path.GetFileNameWithoutExtension(BaseName(protoPath))) + "Grpc.cs";

    /// <summary>Grpc.Tools' and grpc's file-name casing: split on '_', upper-case each part's first letter.</summary>
    public static string LowerUnderscoreToUpperCamel(string value)
    {
        var result = new StringBuilder(value.Length);
        var capitalizeNext = true;
        foreach (var c in value)
        {
            if (c == '_')
            {
                capitalizeNext = true;
            }
            else
            {
                result.Append(capitalizeNext ? char.ToUpperInvariant(c) : c);
                capitalizeNext = false;
            }
        }

        return result.ToString();
    }

    /// <summary>The namespace protoc's C# generator uses: <c>csharp_namespace</c>, else the package PascalCased per segment.</summary>
    public static string FileNamespace(FileDescriptorProto file) =>
        file.Options is { HasCsharpNamespace: true } options
            ? options.CsharpNamespace
            : UnderscoresToCamelCase(file.Package, capitalizeNextLetter: true, preservePeriod: true);

    /// <summary>The reflection class protoc writes for a file, fully qualified: <c>global::Grpc.Health.V1.HealthReflection</c>.</summary>
    public static string ReflectionClassName(FileDescriptorProto file)
    {
        var @namespace = FileNamespace(file);
        var name = ReflectionClassUnqualifiedName(file.Name);
        return @namespace.Length == 0 ? "global::" + name : "global::" + @namespace + "." + name;
    }

    /// <summary><c>health.proto</c> → <c>HealthReflection</c>; protoc treats every non-alphanumeric character as a word break here.</summary>
    public static string ReflectionClassUnqualifiedName(string protoPath)
    {
        var baseName = BaseName(protoPath);
        var lastDot = baseName.LastIndexOf('.');
        var stem = lastDot < 0 ? baseName : baseName[..lastDot];
        return UnderscoresToCamelCase(stem, capitalizeNextLetter: true, preservePeriod: false) + "Reflection";
    }

    /// <summary>protoc's C# <c>UnderscoresToCamelCase</c>: letters after a non-alphanumeric character or a digit are capitalised.</summary>
    public static string UnderscoresToCamelCase(string input, bool capitalizeNextLetter, bool preservePeriod)
    {
        var result = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (c is >= 'a' and <= 'z')
            {
                result.Append(capitalizeNextLetter ? (char)(c - 'a' + 'A') : c);
                capitalizeNextLetter = false;
            }
            else if (c is >= 'A' and <= 'Z')
            {
                // Only the very first letter is forced to lower case, and only when not asked to capitalise it.
                result.Append(i == 0 && !capitalizeNextLetter ? (char)(c - 'A' + 'a') : c);
                capitalizeNextLetter = false;
            }
            else if (c is >= '0' and <= '9')
            {
                result.Append(c);
                capitalizeNextLetter = true;
            }
            else
            {
                capitalizeNextLetter = true;
                if (c == '.' && preservePeriod)
                {
                    result.Append('.');
                }
            }
        }

        if (input.Length > 0 && input[^1] == '#')
        {
            result.Append('_');
        }

        // An identifier cannot start with a digit, so protoc keeps the underscore of "_2foo".
        if (result.Length > 0 && char.IsAsciiDigit(result[0]) && input.Length > 0 && input[0] == '_')
        {
            result.Insert(0, '_');
        }

        return result.ToString();
    }

    /// <summary>The private field that holds a message type's marshaller: <c>.a.b.Msg</c> → <c>__Marshaller_a_b_Msg</c>.</summary>
    public static string MarshallerFieldName(string protoTypeName) =>
        "__Marshaller_" + protoTypeName.TrimStart('.').Replace('.', '_');

    public static string MethodFieldName(string methodName) => "__Method_" + methodName;

    private static string BaseName(string protoPath)
    {
        var slash = protoPath.LastIndexOf('/');
        return slash < 0 ? protoPath : protoPath[(slash + 1)..];
    }
}
