/// The built-in mail templates in Polish, in neutral impersonal forms (no gendered Pan/Pani, no informal "ty").
/// Mail commands (#close, #take, ...) stay as they are; "status" is one of LanguagePack.pl.statusSubjects.
/// Durations are used only where the nominative form the language pack gives is correct ("wynosi 2 dni").
extension DefaultTemplates {
    static let pl: [TemplateKind: String] = [
        .confirmation: """
            Subject: {{ticket_tag}} {{subject}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Dziękujemy za wiadomość wysłaną do {{helpdesk_name}}. Otrzymaliśmy ją i założyliśmy zgłoszenie \
            #{{ticket_number}}: „{{subject}}”.
            {{#turnaround}}
            Maksymalny czas oczekiwania na odpowiedź wynosi {{turnaround}}.
            {{/turnaround}}

            Przez e-mail można:
            - uzupełnić zgłoszenie – wystarczy odpowiedzieć na tę wiadomość, zachowując w temacie {{ticket_tag}};
            - dodać współpracowników do kopii (Cc), aby mogli śledzić zgłoszenie;
            - zamknąć zgłoszenie, jeśli pomoc nie jest już potrzebna – wystarczy wpisać #close w pierwszym wierszu odpowiedzi;
            - sprawdzić wszystkie swoje zgłoszenia – wystarczy wysłać wiadomość o temacie „status” na adres {{queue_address}}.

            {{#portal_link}}
            Zgłoszenie można też śledzić tutaj: {{portal_link}}
            {{/portal_link}}

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .agentNewTicket: """
            Subject: {{ticket_tag}} Nowe zgłoszenie: {{subject}}

            Nowe zgłoszenie #{{ticket_number}} w kolejce {{queue}} od {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>.
            {{#attachments}}
            Załączniki: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}UWAGA: ta wiadomość NIE przeszła uwierzytelnienia nadawcy ({{sender_failed}}). Adres From jest prawdopodobnie sfałszowany: wiadomość trafiła do osobnego zgłoszenia, nikogo nie dodała, nie wykonała żadnego polecenia i nie dostała automatycznej odpowiedzi. Nie wysyłaj na ten adres niczego poufnego bez sprawdzenia innym sposobem.
            {{/sender_failed}}{{#sender_unverified}}Nadawca nie jest zweryfikowany ({{sender_unverified}}): adres From może być sfałszowany. Sprawdź to przed wysłaniem czegoś poufnego.
            {{/sender_unverified}}{{#sender_verified}}Nadawca zweryfikowany: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}W To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Dołączyli do zgłoszenia: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Nie dodano: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}UWAGA: ta wiadomość ma kilka pól From (oznaka fałszerstwa); za nadawcę uznano pierwsze: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Adres From jest błędny; zachowano go tak, jak napisano, i nigdy nie jest używany: {{malformed_from}}
            {{/malformed_from}}

            {{text}}

            --
            Odpowiedź na tę wiadomość trafi do klienta. Polecenia w pierwszych wierszach: #take, #assign NAZWA,
            #status open|pending|resolved|closed, #priority low|normal|high|urgent, #due RRRR-MM-DD,
            #internal (notatka, której klient nigdy nie zobaczy).
            """,
        .agentCustomerReply: """
            Subject: {{ticket_tag}} {{subject}}

            Nowa wiadomość w zgłoszeniu #{{ticket_number}} ({{status}}) od {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>:
            {{#attachments}}
            Załączniki: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}UWAGA: ta wiadomość NIE przeszła uwierzytelnienia nadawcy ({{sender_failed}}). Adres From jest prawdopodobnie sfałszowany: wiadomość trafiła do osobnego zgłoszenia, nikogo nie dodała, nie wykonała żadnego polecenia i nie dostała automatycznej odpowiedzi. Nie wysyłaj na ten adres niczego poufnego bez sprawdzenia innym sposobem.
            {{/sender_failed}}{{#sender_unverified}}Nadawca nie jest zweryfikowany ({{sender_unverified}}): adres From może być sfałszowany. Sprawdź to przed wysłaniem czegoś poufnego.
            {{/sender_unverified}}{{#sender_verified}}Nadawca zweryfikowany: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}W To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Dołączyli do zgłoszenia: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Nie dodano: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}UWAGA: ta wiadomość ma kilka pól From (oznaka fałszerstwa); za nadawcę uznano pierwsze: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Adres From jest błędny; zachowano go tak, jak napisano, i nigdy nie jest używany: {{malformed_from}}
            {{/malformed_from}}

            {{text}}
            """,
        .agentInternalNote: """
            Subject: {{ticket_tag}} {{subject}}

            {{author_name}} dodał(a) notatkę wewnętrzną do zgłoszenia #{{ticket_number}} ({{status}}):

            {{text}}

            --
            Wewnętrzne: klient nie widzi tej notatki. Odpowiedź na tę wiadomość doda kolejną notatkę wewnętrzną.
            """,
        .relay: """
            Subject: {{ticket_tag}} {{subject}}

            {{text}}

            --
            {{agent_name}}, {{helpdesk_name}}
            Na tę wiadomość można po prostu odpowiedzieć; prosimy zachować w temacie {{ticket_tag}}.
            {{#portal_link}}Zgłoszenie można też śledzić tutaj: {{portal_link}}
            {{/portal_link}}
            """,
        .assigned: """
            Subject: {{ticket_tag}} {{subject}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Zgłoszeniem #{{ticket_number}} „{{subject}}” zajmuje się teraz {{agent_name}}.
            {{#due}}
            Planujemy zakończyć je do {{due}}.
            {{/due}}

            Aby coś dodać, wystarczy odpowiedzieć na tę wiadomość.

            {{#portal_link}}
            Zgłoszenie można też śledzić tutaj: {{portal_link}}
            {{/portal_link}}

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .resolved: """
            Subject: {{ticket_tag}} Rozwiązane: {{subject}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Uznajemy zgłoszenie #{{ticket_number}} „{{subject}}” za rozwiązane.

            Jeśli coś nadal nie działa jak należy, wystarczy odpowiedzieć na tę wiadomość, a zgłoszenie zostanie ponownie otwarte.
            Jeśli nie otrzymamy odpowiedzi, zgłoszenie zostanie automatycznie zamknięte{{#close_at}} {{close_at}}{{/close_at}} – czas oczekiwania na odpowiedź wynosi {{close_after}}.

            {{#portal_link}}
            Zgłoszenie można też śledzić tutaj: {{portal_link}}
            {{/portal_link}}

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .reminder: """
            Subject: {{ticket_tag}} Zbliża się zamknięcie: {{subject}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Zgłoszenie #{{ticket_number}} „{{subject}}” zostało rozwiązane i zostanie zamknięte {{close_at}}.
            Jeśli pomoc jest nadal potrzebna, prosimy odpowiedzieć na tę wiadomość przed tym terminem.

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .closed: """
            Subject: {{ticket_tag}} Zamknięte: {{subject}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Zgłoszenie #{{ticket_number}} „{{subject}}” zostało zamknięte. Dziękujemy za kontakt z {{helpdesk_name}}.

            Kolejna wiadomość w tej sprawie otworzy nowe zgłoszenie, które będzie odwoływać się do tego.

            {{#portal_link}}
            Zgłoszenie można też śledzić tutaj: {{portal_link}}
            {{/portal_link}}

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .followUp: """
            Subject: {{ticket_tag}} {{subject}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Zgłoszenie #{{previous_number}} jest już zamknięte, dlatego przesłana wiadomość otworzyła nowe zgłoszenie: \
            #{{ticket_number}} „{{subject}}”. Odwołuje się ono do poprzedniego, więc nic nie zginie.

            Aby uzupełnić zgłoszenie, wystarczy odpowiedzieć na tę wiadomość; prosimy zachować w temacie {{ticket_tag}}.

            {{#portal_link}}
            Zgłoszenie można też śledzić tutaj: {{portal_link}}
            {{/portal_link}}

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .statusSummary: """
            Subject: Lista zgłoszeń w {{helpdesk_name}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            {{ticket_list}}

            Aby uzupełnić zgłoszenie, wystarczy odpowiedzieć na dowolną wiadomość, która go dotyczy; aby je zamknąć, należy wpisać #close w pierwszym wierszu odpowiedzi.

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .welcome: """
            Subject: Witamy w {{helpdesk_name}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            W {{helpdesk_name}} utworzono konto powiązane z tym adresem e-mail. Aby potwierdzić, że adres jest właściwy, \
            wystarczy odpowiedzieć na tę wiadomość; treść odpowiedzi nie ma znaczenia.

            Zawsze można się z nami skontaktować pod adresem {{queue_address}}.

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .passwordReset: """
            Subject: Kod do resetowania hasła w {{helpdesk_name}}

            Dzień dobry{{#customer_name}}, {{customer_name}}{{/customer_name}},

            Kod do resetowania hasła: {{code}}

            Kod jest jednorazowy i traci ważność po {{expires_minutes}} min. Jeśli nikt nie prosił o reset hasła, \
            wystarczy zignorować tę wiadomość – nic się nie zmieni.

            Pozdrawiamy
            {{helpdesk_name}}
            """,
        .commandError: """
            Subject: Nie wykonano: {{subject}}

            Poleceń z wiadomości nie udało się wykonać w obecnej postaci; nic nie zostało zmienione:

            {{errors}}

            Prosimy poprawić powyższe wiersze i wysłać wiadomość ponownie.

            Pozdrawiamy
            {{helpdesk_name}}
            """,
    ]
}
