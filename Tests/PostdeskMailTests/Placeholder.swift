import Testing
@testable import PostdeskMail
@Test func placeholder() { #expect(true) }
