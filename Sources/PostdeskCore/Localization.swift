/// The words and formats of one language that are not in a template: status names, durations, dates, and
/// the subjects customers may use for commands.
public struct LanguagePack: Sendable {
    public let code: String
    public let statuses: [TicketStatus: String]
    public let priorities: [TicketPriority: String]
    /// Singular and plural forms (Polish: one, few, many) of minute, hour and day.
    let minute: [String]
    let hour: [String]
    let day: [String]
    let months: [String]
    /// "assigned to", "due", "updated", "unassigned", "no tickets"
    public let assignedTo: String
    public let dueLabel: String
    public let updatedLabel: String
    public let unassigned: String
    public let noTickets: String
    /// Subjects that ask for the status summary / a password reset code (compared case-insensitively).
    public let statusSubjects: [String]
    public let resetSubjects: [String]

    /// The pack for `code`, or English.
    public static func named(_ code: String) -> LanguagePack {
        all.first { $0.code == code } ?? all[0]
    }

    /// Every language Postdesk writes (Configuration.languages).
    public static let all: [LanguagePack] = [en, es, de, pl, fr, it]

    func pluralIndex(_ n: Int64) -> Int {
        switch code {
        case "pl":
            if n == 1 { return 0 }
            let m10 = n % 10, m100 = n % 100
            return (2...4).contains(m10) && !(12...14).contains(m100) ? 1 : 2
        case "fr": return n <= 1 ? 0 : 1
        default: return n == 1 ? 0 : 1
        }
    }

    private func unit(_ forms: [String], _ n: Int64) -> String {
        "\(n) \(forms[min(pluralIndex(n), forms.count - 1)])"
    }

    /// A duration in words, in its largest whole unit: "2 days", "36 hours", "15 minutes".
    public func duration(_ d: ConfigDuration) -> String {
        let s = d.seconds
        if s >= 86_400, s % 86_400 == 0 { return unit(day, s / 86_400) }
        if s >= 3_600, s % 3_600 == 0 { return unit(hour, s / 3_600) }
        return unit(minute, max(1, (s + 59) / 60))
    }

    /// A moment as people of this language write it, in the given UTC offset: "25 Nov 2026 14:00" (en),
    /// "25.11.2026 14:00" (de, pl), "25/11/2026 14:00" (es, fr, it). `zone` is appended when given.
    public func dateTime(_ secondsSinceEpoch: Int64, offset: Int, zone: String? = nil) -> String {
        let c = Self.civil(secondsSinceEpoch + Int64(offset))
        let time = "\(Self.two(c.hour)):\(Self.two(c.minute))"
        let z = zone.map { " (\($0))" } ?? ""
        return date(c) + " " + time + z
    }

    /// A day as people of this language write it.
    public func day(_ secondsSinceEpoch: Int64, offset: Int) -> String {
        date(Self.civil(secondsSinceEpoch + Int64(offset)))
    }

    /// A calendar date such as a due date ("2026-11-25"), written the local way.
    public func day(year: Int, month: Int, day d: Int) -> String {
        date((year, month, d, 0, 0))
    }

    /// A `YYYY-MM-DD` date (a ticket's due date) written the local way; nil when it is not such a date.
    public func day(calendarDate s: String) -> String? {
        guard MailCommands.isDate(s) else { return nil }
        let p = s.split(separator: "-").compactMap { Int($0) }
        return day(year: p[0], month: p[1], day: p[2])
    }

    private func date(_ c: (year: Int, month: Int, day: Int, hour: Int, minute: Int)) -> String {
        switch code {
        case "en": return "\(c.day) \(months[c.month - 1]) \(c.year)"
        case "de", "pl": return "\(Self.two(c.day)).\(Self.two(c.month)).\(c.year)"
        default: return "\(Self.two(c.day))/\(Self.two(c.month))/\(c.year)"
        }
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    static func civil(_ seconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d), Int(rem / 3600), Int(rem % 3600 / 60))
    }

    // MARK: - The languages

    public static let en = LanguagePack(
        code: "en",
        statuses: [.new: "New", .open: "Open", .pending: "Waiting for you", .resolved: "Resolved", .closed: "Closed"],
        priorities: [.low: "low", .normal: "normal", .high: "high", .urgent: "urgent"],
        minute: ["minute", "minutes"], hour: ["hour", "hours"], day: ["day", "days"],
        months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        assignedTo: "handled by", dueLabel: "due", updatedLabel: "last update", unassigned: "not assigned yet",
        noTickets: "You have no tickets with us.",
        statusSubjects: ["status"], resetSubjects: ["password reset", "reset password"])

    public static let es = LanguagePack(
        code: "es",
        statuses: [.new: "Nuevo", .open: "Abierto", .pending: "Pendiente de su respuesta", .resolved: "Resuelto", .closed: "Cerrado"],
        priorities: [.low: "baja", .normal: "normal", .high: "alta", .urgent: "urgente"],
        minute: ["minuto", "minutos"], hour: ["hora", "horas"], day: ["día", "días"],
        months: ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
        assignedTo: "atendido por", dueLabel: "fecha límite", updatedLabel: "última actualización", unassigned: "aún sin asignar",
        noTickets: "No tiene tickets con nosotros.",
        statusSubjects: ["estado"], resetSubjects: ["restablecer contraseña", "restablecer contrasena"])

    public static let de = LanguagePack(
        code: "de",
        statuses: [.new: "Neu", .open: "Offen", .pending: "Wartet auf Ihre Antwort", .resolved: "Gelöst", .closed: "Geschlossen"],
        priorities: [.low: "niedrig", .normal: "normal", .high: "hoch", .urgent: "dringend"],
        minute: ["Minute", "Minuten"], hour: ["Stunde", "Stunden"], day: ["Tag", "Tage"],
        months: ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."],
        assignedTo: "bearbeitet von", dueLabel: "fällig", updatedLabel: "zuletzt geändert", unassigned: "noch nicht zugewiesen",
        noTickets: "Sie haben keine Tickets bei uns.",
        statusSubjects: ["status"], resetSubjects: ["passwort zurücksetzen", "passwort zuruecksetzen"])

    public static let pl = LanguagePack(
        code: "pl",
        statuses: [.new: "Nowe", .open: "Otwarte", .pending: "Oczekuje na odpowiedź klienta", .resolved: "Rozwiązane", .closed: "Zamknięte"],
        priorities: [.low: "niski", .normal: "normalny", .high: "wysoki", .urgent: "pilny"],
        minute: ["minuta", "minuty", "minut"], hour: ["godzina", "godziny", "godzin"], day: ["dzień", "dni", "dni"],
        months: ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"],
        assignedTo: "prowadzi", dueLabel: "termin", updatedLabel: "ostatnia zmiana", unassigned: "jeszcze nieprzydzielone",
        noTickets: "Brak zgłoszeń powiązanych z tym adresem.",
        statusSubjects: ["stan", "status"], resetSubjects: ["reset hasła", "reset hasla", "resetowanie hasła"])

    public static let fr = LanguagePack(
        code: "fr",
        statuses: [.new: "Nouveau", .open: "Ouvert", .pending: "En attente de votre réponse", .resolved: "Résolu", .closed: "Fermé"],
        priorities: [.low: "basse", .normal: "normale", .high: "haute", .urgent: "urgente"],
        minute: ["minute", "minutes"], hour: ["heure", "heures"], day: ["jour", "jours"],
        months: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
        assignedTo: "pris en charge par", dueLabel: "échéance", updatedLabel: "dernière mise à jour", unassigned: "pas encore attribué",
        noTickets: "Vous n'avez aucun ticket chez nous.",
        statusSubjects: ["statut"], resetSubjects: ["réinitialiser le mot de passe", "reinitialiser le mot de passe", "mot de passe oublié"])

    public static let it = LanguagePack(
        code: "it",
        statuses: [.new: "Nuovo", .open: "Aperto", .pending: "In attesa della Sua risposta", .resolved: "Risolto", .closed: "Chiuso"],
        priorities: [.low: "bassa", .normal: "normale", .high: "alta", .urgent: "urgente"],
        minute: ["minuto", "minuti"], hour: ["ora", "ore"], day: ["giorno", "giorni"],
        months: ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
        assignedTo: "gestito da", dueLabel: "scadenza", updatedLabel: "ultimo aggiornamento", unassigned: "non ancora assegnato",
        noTickets: "Non risultano ticket a Suo nome.",
        statusSubjects: ["stato"], resetSubjects: ["reimposta password", "reimpostazione password"])

    /// The language Postdesk should answer in: the customer's account, else the mail's Content-Language or
    /// Accept-Language (first supported one), else the mailbox's, else the helpdesk's.
    public static func choose(account: String?, contentLanguage: String?, acceptLanguage: String?, mailbox: String?, helpdesk: String) -> String {
        func supported(_ tag: String?) -> String? {
            guard let tag else { return nil }
            for piece in tag.split(whereSeparator: { $0 == "," || $0 == " " }) {
                let primary = piece.split(separator: ";").first.map { String($0.split(separator: "-").first ?? "") }?.lowercased() ?? ""
                if Configuration.languages.contains(primary) { return primary }
            }
            return nil
        }
        return supported(account) ?? supported(contentLanguage) ?? supported(acceptLanguage) ?? mailbox ?? helpdesk
    }
}

extension LanguagePack {
    /// The text of a portal "add people" message: "I added X, Y to the conversation." (`list` is written as
    /// given: addresses joined with ", ").
    public func peopleAdded(_ list: String) -> String {
        switch code {
        case "es": return "He añadido a \(list) a la conversación."
        case "de": return "Ich habe \(list) zum Gespräch hinzugefügt."
        case "pl": return "Do rozmowy dodano: \(list)."
        case "fr": return "J'ai ajouté \(list) à la conversation."
        case "it": return "Ho aggiunto \(list) alla conversazione."
        default: return "I added \(list) to the conversation."
        }
    }
}
