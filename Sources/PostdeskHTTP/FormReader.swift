#if canImport(Glibc)
import Glibc
#endif

/// The parts of a form body as libmicrohttpd's post processor hands them over (in chunks, with offsets): text
/// fields kept in memory up to `maxFieldBytes` each, files streamed to new files in `uploadDirectory`.
struct FormReader {
    let maxFieldBytes: Int
    let maxFields: Int
    let maxFiles: Int
    let uploadDirectory: String

    private(set) var fields: [(name: String, value: String)] = []
    private(set) var files: [UploadedFile] = []
    private(set) var failure: HTTPRequestFailure?
    private var current: Part?
    private var fieldBytes: [UInt8] = []
    private var fileDescriptor: Int32 = -1
    /// Every file created, kept or not, so that all of them are removed after the response.
    private var created: [String] = []

    private enum Part {
        case field(name: String)
        case file(index: Int)
    }

    init(maxFieldBytes: Int, maxFields: Int, maxFiles: Int, uploadDirectory: String) {
        self.maxFieldBytes = maxFieldBytes
        self.maxFields = maxFields
        self.maxFiles = maxFiles
        self.uploadDirectory = uploadDirectory
    }

    /// One chunk of a part. False stops the form reading (a limit, or a file that cannot be written).
    ///
    /// A chunk continues the current part when it has the same name (and file name) and a non-zero offset; offset
    /// zero starts a part (libmicrohttpd calls once with no bytes for an empty value or file).
    mutating func part(key: String, filename: String?, contentType: String?, data: UnsafeRawBufferPointer, offset: UInt64) -> Bool {
        guard failure == nil else { return false }
        if let filename {
            // A file input left empty: browsers send the part with an empty file name and no content.
            if filename.isEmpty { return true }
            let continues = isCurrentFile(field: key, filename: filename) && offset > 0
            if !continues {
                guard startFile(field: key, filename: filename, contentType: contentType) else { return false }
            }
            return writeFile(data)
        }
        if case .field(let name) = current, name == key, offset > 0 {
            guard fieldBytes.count + data.count <= maxFieldBytes else {
                failure = .formTooLarge("the field \(key) is larger than \(maxFieldBytes) bytes")
                return false
            }
            fieldBytes.append(contentsOf: data)
            return true
        }
        endPart()
        guard fields.count < maxFields else {
            failure = .formTooLarge("more than \(maxFields) fields")
            return false
        }
        guard data.count <= maxFieldBytes else {
            failure = .formTooLarge("the field \(key) is larger than \(maxFieldBytes) bytes")
            return false
        }
        current = .field(name: key)
        fieldBytes = Array(data)
        // Counted now, so that the limit holds before the next field starts.
        fields.append((key, ""))
        return true
    }

    private func isCurrentFile(field: String, filename: String) -> Bool {
        guard case .file(let index) = current else { return false }
        return files[index].field == field && files[index].filename == filename
    }

    private mutating func startFile(field: String, filename: String, contentType: String?) -> Bool {
        endPart()
        guard files.count < maxFiles else {
            failure = .formTooLarge("more than \(maxFiles) files")
            return false
        }
        var random = SystemRandomNumberGenerator()
        let name = "upload-" + String(random.next() as UInt64, radix: 16) + String(random.next() as UInt64, radix: 16)
        let path = uploadDirectory.hasSuffix("/") ? uploadDirectory + name : uploadDirectory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            failure = .storage("cannot create an upload file in \(uploadDirectory): \(String(cString: strerror(errno)))")
            return false
        }
        fileDescriptor = fd
        created.append(path)
        files.append(UploadedFile(field: field, filename: filename, contentType: contentType ?? "application/octet-stream",
                                  path: path, size: 0))
        current = .file(index: files.count - 1)
        return true
    }

    private mutating func writeFile(_ data: UnsafeRawBufferPointer) -> Bool {
        guard case .file(let index) = current, fileDescriptor >= 0 else { return false }
        var written = 0
        while written < data.count {
            let n = write(fileDescriptor, data.baseAddress! + written, data.count - written)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                failure = .storage("cannot write an upload file: \(String(cString: strerror(errno)))")
                return false
            }
            written += n
        }
        files[index].size += data.count
        return true
    }

    /// Ends the part being read: a field's bytes become its value; a file is closed.
    private mutating func endPart() {
        switch current {
        case .field(let name):
            fields[fields.count - 1] = (name, String(decoding: fieldBytes, as: UTF8.self))
            fieldBytes = []
        case .file:
            closeDescriptor()
        case nil:
            break
        }
        current = nil
    }

    private mutating func closeDescriptor() {
        if fileDescriptor >= 0 {
            if close(fileDescriptor) != 0, failure == nil {
                failure = .storage("cannot write an upload file: \(String(cString: strerror(errno)))")
            }
            fileDescriptor = -1
        }
    }

    /// The body ended (or the request is over): the last part is ended.
    mutating func closeFiles() {
        endPart()
        closeDescriptor()
    }

    /// Removes every file this form created (the application has linked or moved what it keeps).
    mutating func removeFiles() {
        for path in created { unlink(path) }
        created = []
    }
}
