import PostdeskCLI

#if canImport(Glibc)
import Glibc
#endif

exit(PostdeskCommandLine.main(arguments: Array(CommandLine.arguments.dropFirst())))
