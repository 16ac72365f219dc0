/// The built-in mail templates in German (formal "Sie"). Mail commands (#close, #take, ...) stay as they are.
extension DefaultTemplates {
    static let de: [TemplateKind: String] = [
        .confirmation: """
            Subject: {{ticket_tag}} {{subject}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            vielen Dank für Ihre Nachricht an {{helpdesk_name}}. Wir haben sie erhalten und das Ticket \
            #{{ticket_number}} „{{subject}}“ angelegt.
            {{#turnaround}}
            Sie erhalten unsere Antwort spätestens {{turnaround}} nach Eingang Ihrer Nachricht.
            {{/turnaround}}

            Das können Sie per E-Mail tun:
            - Antworten Sie auf diese Nachricht, um Informationen zu ergänzen; lassen Sie {{ticket_tag}} im Betreff stehen.
            - Setzen Sie Kolleginnen und Kollegen in Cc, damit sie das Ticket mitverfolgen können.
            - Schreiben Sie #close in die erste Zeile einer Antwort, um das Ticket zu schließen, wenn Sie keine Hilfe mehr benötigen.
            - Senden Sie eine E-Mail mit dem Betreff „status“ an {{queue_address}}, um alle Ihre Tickets zu sehen.

            {{#portal_link}}
            Sie können dieses Ticket auch hier verfolgen: {{portal_link}}
            {{/portal_link}}

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .agentNewTicket: """
            Subject: {{ticket_tag}} Neues Ticket: {{subject}}

            Neues Ticket #{{ticket_number}} in der Queue {{queue}} von {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>.
            {{#attachments}}
            Anhänge: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ACHTUNG: Diese E-Mail hat die Absenderprüfung NICHT bestanden ({{sender_failed}}). Die From-Adresse ist wahrscheinlich gefälscht: Die E-Mail steht in einem eigenen Ticket, hat niemanden hinzugefügt, keinen Befehl ausgeführt und keine automatische Antwort erhalten. Senden Sie nichts Vertrauliches an diese Adresse, ohne es auf anderem Weg zu prüfen.
            {{/sender_failed}}{{#sender_unverified}}Der Absender ist nicht verifiziert ({{sender_unverified}}): Die From-Adresse kann gefälscht sein. Prüfen Sie das, bevor Sie etwas Vertrauliches senden.
            {{/sender_unverified}}{{#sender_verified}}Absender verifiziert: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}In To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Dem Ticket hinzugefügt: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Nicht hinzugefügt: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}WARNUNG: Diese Mail hat mehrere From-Felder (ein Zeichen von Fälschung); das erste gilt als Absender: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Eine From-Adresse ist fehlerhaft; sie bleibt wie geschrieben und wird nie verwendet: {{malformed_from}}
            {{/malformed_from}}

            {{text}}

            --
            Ihre Antwort auf diese E-Mail geht an den Kunden. Befehle in den ersten Zeilen: #take, #assign NAME,
            #status open|pending|resolved|closed, #priority low|normal|high|urgent, #due JJJJ-MM-TT,
            #internal (eine Notiz, die der Kunde nie sieht).
            """,
        .agentCustomerReply: """
            Subject: {{ticket_tag}} {{subject}}

            {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}> hat zu Ticket #{{ticket_number}} ({{status}}) geschrieben:
            {{#attachments}}
            Anhänge: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ACHTUNG: Diese E-Mail hat die Absenderprüfung NICHT bestanden ({{sender_failed}}). Die From-Adresse ist wahrscheinlich gefälscht: Die E-Mail steht in einem eigenen Ticket, hat niemanden hinzugefügt, keinen Befehl ausgeführt und keine automatische Antwort erhalten. Senden Sie nichts Vertrauliches an diese Adresse, ohne es auf anderem Weg zu prüfen.
            {{/sender_failed}}{{#sender_unverified}}Der Absender ist nicht verifiziert ({{sender_unverified}}): Die From-Adresse kann gefälscht sein. Prüfen Sie das, bevor Sie etwas Vertrauliches senden.
            {{/sender_unverified}}{{#sender_verified}}Absender verifiziert: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}In To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Dem Ticket hinzugefügt: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Nicht hinzugefügt: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}WARNUNG: Diese Mail hat mehrere From-Felder (ein Zeichen von Fälschung); das erste gilt als Absender: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Eine From-Adresse ist fehlerhaft; sie bleibt wie geschrieben und wird nie verwendet: {{malformed_from}}
            {{/malformed_from}}

            {{text}}
            """,
        .agentInternalNote: """
            Subject: {{ticket_tag}} {{subject}}

            {{author_name}} hat eine interne Notiz zu Ticket #{{ticket_number}} ({{status}}) geschrieben:

            {{text}}

            --
            Intern: Der Kunde sieht diese Notiz nicht. Eine Antwort auf diese Nachricht wird ebenfalls eine interne Notiz.
            """,
        .relay: """
            Subject: {{ticket_tag}} {{subject}}

            {{text}}

            --
            {{agent_name}}, {{helpdesk_name}}
            Sie können einfach auf diese Nachricht antworten; lassen Sie {{ticket_tag}} im Betreff stehen.
            {{#portal_link}}Sie können dieses Ticket auch hier verfolgen: {{portal_link}}
            {{/portal_link}}
            """,
        .assigned: """
            Subject: {{ticket_tag}} {{subject}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{agent_name}} kümmert sich jetzt um Ihr Ticket #{{ticket_number}} „{{subject}}“.
            {{#due}}
            Wir planen, es bis zum {{due}} zu erledigen.
            {{/due}}

            Wenn Sie noch etwas ergänzen möchten, antworten Sie einfach auf diese Nachricht.

            {{#portal_link}}
            Sie können dieses Ticket auch hier verfolgen: {{portal_link}}
            {{/portal_link}}

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .resolved: """
            Subject: {{ticket_tag}} Gelöst: {{subject}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            wir betrachten Ihr Ticket #{{ticket_number}} „{{subject}}“ als gelöst.

            Falls noch etwas nicht stimmt, antworten Sie einfach auf diese Nachricht; das Ticket wird dann wieder geöffnet.
            Ohne Antwort wird es {{close_after}} nach dieser Nachricht automatisch geschlossen{{#close_at}} (am {{close_at}}){{/close_at}}.

            {{#portal_link}}
            Sie können dieses Ticket auch hier verfolgen: {{portal_link}}
            {{/portal_link}}

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .reminder: """
            Subject: {{ticket_tag}} Wird in Kürze geschlossen: {{subject}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            Ihr Ticket #{{ticket_number}} „{{subject}}“ ist gelöst und wird am {{close_at}} geschlossen.
            Falls Sie noch Hilfe benötigen, antworten Sie bitte vorher auf diese Nachricht.

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .closed: """
            Subject: {{ticket_tag}} Geschlossen: {{subject}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            Ihr Ticket #{{ticket_number}} „{{subject}}“ ist jetzt geschlossen. Vielen Dank, dass Sie sich an {{helpdesk_name}} gewandt haben.

            Wenn Sie uns erneut dazu schreiben, eröffnen wir ein neues Ticket, das auf dieses verweist.

            {{#portal_link}}
            Sie können dieses Ticket auch hier verfolgen: {{portal_link}}
            {{/portal_link}}

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .followUp: """
            Subject: {{ticket_tag}} {{subject}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            das Ticket #{{previous_number}} ist bereits geschlossen, deshalb wurde mit Ihrer Nachricht ein neues Ticket eröffnet: \
            #{{ticket_number}} „{{subject}}“. Es verweist auf das frühere Ticket, es geht also nichts verloren.

            Antworten Sie auf diese Nachricht, um Informationen zu ergänzen; lassen Sie {{ticket_tag}} im Betreff stehen.

            {{#portal_link}}
            Sie können dieses Ticket auch hier verfolgen: {{portal_link}}
            {{/portal_link}}

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .statusSummary: """
            Subject: Ihre Tickets bei {{helpdesk_name}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{ticket_list}}

            Antworten Sie auf eine E-Mail zu einem Ticket, um etwas zu ergänzen, oder schreiben Sie #close in die erste Zeile Ihrer Antwort, um es zu schließen.

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .welcome: """
            Subject: Willkommen bei {{helpdesk_name}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            bei {{helpdesk_name}} wurde ein Konto für Sie angelegt. Um zu bestätigen, dass diese Adresse Ihnen gehört, \
            antworten Sie einfach auf diese Nachricht; der Inhalt Ihrer Antwort spielt keine Rolle.

            Sie erreichen uns jederzeit unter {{queue_address}}.

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .passwordReset: """
            Subject: Ihr Code zum Zurücksetzen des Passworts bei {{helpdesk_name}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            Ihr Code zum Zurücksetzen des Passworts lautet: {{code}}

            Er ist nur einmal verwendbar und läuft in {{expires_minutes}} Minuten ab. Falls Sie ihn nicht angefordert haben, \
            ignorieren Sie diese Nachricht einfach: Es ändert sich nichts.

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
        .commandError: """
            Subject: Nicht ausgeführt: {{subject}}

            Ihre E-Mail konnte so, wie sie geschrieben ist, nicht ausgeführt werden; es wurde nichts geändert:

            {{errors}}

            Bitte korrigieren Sie die oben genannten Zeilen und senden Sie die E-Mail erneut.

            Mit freundlichen Grüßen
            {{helpdesk_name}}
            """,
    ]
}
