import PostdeskMail

extension ReplyText {
    /// The messages attached to `message` as `message/rfc822` or `message/global` parts (forwarded as
    /// attachments), as the thread shows them (`attachedForward`): the outermost ones only, in order. A message
    /// that is only a wrapper around another is read as that one (its body is the text, not an attachment).
    public static func attachedForwards(_ message: Message) -> [String] {
        var root = message.root
        while case .message(let inner) = root.content { root = inner.root }
        return attachedForwards(root)
    }

    static func attachedForwards(_ part: MIMEPart) -> [String] {
        switch part.content {
        case .single: return []
        case .multipart(let parts, _, _): return parts.flatMap(attachedForwards)
        case .message(let inner):
            let s = MessageSummary(inner)
            let from = s.from.first.map { a in a.name.map { "\($0) <\(a.address)>" } ?? a.address }
            let date = inner.headers["Date"]?.value.trimmingWhitespaceAndNewlines
            return [attachedForward(from: from, date: date, subject: s.subject, text: s.text)]
        }
    }
}
