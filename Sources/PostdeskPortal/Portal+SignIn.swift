import PostdeskHTTP

// Signing in and out, sessions, CSRF, rate limits, the profile: owned by the sign-in work (issue 16).
extension Portal {
    /// Reads the session cookie into `ctx.session` (nil when absent, unknown, idle too long or too old).
    func resolveSession(_ ctx: inout RequestContext) {}

    /// The signed-in customer, or `PageFailure.signInRequired` (to `/sign-in?next=` this page).
    func requireSignIn(_ ctx: inout RequestContext) throws -> PortalSession { throw PageFailure.signInRequired }

    /// For a POST: the form's `csrf` field must be the session's token (`PageFailure.forbidden` otherwise).
    func requireForm(_ ctx: inout RequestContext) throws {}

    func signIn(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func signInLink(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func signInCode(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func forgotPassword(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func resetPassword(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func signOut(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
    func profile(_ ctx: inout RequestContext) throws -> HTTPResponse { throw PageFailure.notFound }
}

extension PortalText {
    static let signIn: [String: [String: String]] = [:]
}
