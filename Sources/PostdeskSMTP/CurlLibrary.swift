internal import CCurl
internal import CCurlShim

/// The libcurl Postdesk sends mail with (the SMTP transport arrives with outbound mail).
public enum CurlLibrary {
    // CURLVERSION_NOW is a macro (CURLVERSION_ELEVENTH in curl 7.88) that Swift does not import.
    /// The version string of the linked libcurl, such as `7.88.1`.
    public static var version: String { String(cString: curl_version_info(CURLVERSION_ELEVENTH).pointee.version) }

    /// Whether the linked libcurl speaks SMTP (Debian's libcurl4-openssl does).
    public static var supportsSMTP: Bool {
        guard let protocols = curl_version_info(CURLVERSION_ELEVENTH).pointee.protocols else { return false }
        var p = protocols
        while let name = p.pointee {
            if String(cString: name) == "smtp" { return true }
            p += 1
        }
        return false
    }
}
