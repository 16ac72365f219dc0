import Testing
@testable import PostdeskMail

/// Issue 15, "Reading mail as people write it": each class of misreading, as a table of real cases.
@Suite struct FlowedQuoteDepthTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var contentType: String
        var body: [String]
        var text: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "reply after a flowed quote line is not quoted", contentType: "text/plain; format=flowed",
             body: ["> Hi ", "Hello", ""], text: "> Hi \nHello\n"),
        Case(name: "flowed quote lines of one depth join without the inner marks", contentType: "text/plain; format=flowed",
             body: ["> Hi ", "> there", ""], text: "> Hi there\n"),
        Case(name: "a deeper quote ends at a shallower one", contentType: "text/plain; format=flowed",
             body: [">> deep ", "> shallow", ""], text: ">> deep \n> shallow\n"),
        Case(name: "unquoted flowed line followed by a quote", contentType: "text/plain; format=flowed",
             body: ["Hi ", "> quoted", ""], text: "Hi \n> quoted\n"),
        Case(name: "quote marks without spaces", contentType: "text/plain; format=flowed",
             body: [">>a ", ">>b", ">c", ""], text: ">>a b\n>c\n"),
        Case(name: "the signature separator is never joined", contentType: "text/plain; format=flowed",
             body: ["Thanks ", "-- ", "Ana", ""], text: "Thanks \n-- \nAna\n"),
        Case(name: "delsp=yes inside a quote", contentType: "text/plain; format=flowed; delsp=yes",
             body: ["> Hel ", "> lo", "Reply", ""], text: "> Hello\nReply\n"),
        Case(name: "space-stuffed unquoted lines", contentType: "text/plain; format=flowed",
             body: [" >not a quote ", "but stuffed", ""], text: ">not a quote but stuffed\n"),
        Case(name: "a paragraph open at the end", contentType: "text/plain; format=flowed",
             body: ["> a ", "> b "], text: "> a b \n"),
        Case(name: "fixed text is left alone", contentType: "text/plain",
             body: ["> Hi ", "Hello", ""], text: "> Hi \nHello\n"),
    ]

    @Test(arguments: cases)
    func flowedText(_ c: Case) {
        let s = MessageSummary(message(["From: ana@example.org", "Content-Type: \(c.contentType)", ""] + c.body))
        #expect(s.text == c.text)
    }
}
