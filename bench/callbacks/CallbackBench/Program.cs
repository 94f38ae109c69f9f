using ConnectorKit.Bench.Callbacks;

// callbackbench platform --port P --control-port C --data DIR
// callbackbench bank --platform-port P --platform-control-port C --data DIR --out RESULT.json [options, see BankSide]
// callbackbench report --connectorkit CK.json --peer PEER.json --out FRAGMENT.md --targets TARGETS.tsv --command "..." --pinning "..."
return args.FirstOrDefault() switch
{
    "platform" => await PlatformSide.RunAsync(Args.Parse(args[1..])),
    "bank" => await BankSide.RunAsync(Args.Parse(args[1..])),
    "report" => await Report.RunAsync(Args.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: CallbackBench platform|bank --name value ...");
    return 2;
}
