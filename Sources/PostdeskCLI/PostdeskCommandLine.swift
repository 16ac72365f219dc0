/// Entry point of the `postdesk` command: parses argv and runs one command.
public enum PostdeskCommandLine {
    public static func main(arguments: [String]) -> Int32 { 0 }
}
