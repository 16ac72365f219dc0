/// The built-in mail templates in Italian (formal "Lei"). Mail commands (#close, #take, ...) stay as they are;
/// the status subject is the Italian one customers may use (LanguagePack.it.statusSubjects).
extension DefaultTemplates {
    static let it: [TemplateKind: String] = [
        .confirmation: """
            Subject: {{ticket_tag}} {{subject}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            La ringraziamo per aver scritto a {{helpdesk_name}}. Abbiamo ricevuto il Suo messaggio e aperto il ticket \
            #{{ticket_number}}: «{{subject}}».
            {{#turnaround}}
            Le risponderemo entro {{turnaround}}.
            {{/turnaround}}

            Cosa può fare via e-mail:
            - Risponda a questo messaggio per aggiungere informazioni; mantenga {{ticket_tag}} nell'oggetto.
            - Metta in copia (Cc) i Suoi colleghi perché possano seguire il ticket.
            - Scriva #close nella prima riga di una risposta per chiudere il ticket se non ha più bisogno di aiuto.
            - Invii un'e-mail con oggetto «stato» a {{queue_address}} per vedere tutti i Suoi ticket.

            {{#portal_link}}
            Può seguire questo ticket anche qui: {{portal_link}}
            {{/portal_link}}

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .agentNewTicket: """
            Subject: {{ticket_tag}} Nuovo ticket: {{subject}}

            Nuovo ticket #{{ticket_number}} nella coda {{queue}} da {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>.
            {{#attachments}}
            Allegati: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ATTENZIONE: questo messaggio NON ha superato l'autenticazione del mittente ({{sender_failed}}). L'indirizzo From è probabilmente falsificato: il messaggio è in un ticket a parte, non ha aggiunto nessuno, non ha eseguito comandi e non ha ricevuto risposte automatiche. Non inviare nulla di riservato a questo indirizzo senza verificare in altro modo.
            {{/sender_failed}}{{#sender_unverified}}Il mittente non è verificato ({{sender_unverified}}): l'indirizzo From potrebbe essere falsificato. Verifica prima di inviare qualcosa di riservato.
            {{/sender_unverified}}{{#sender_verified}}Mittente verificato: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}In To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Aggiunti al ticket: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Non aggiunti: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}ATTENZIONE: questo messaggio ha più campi From (segno di falsificazione); il primo è preso come mittente: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Un indirizzo From non è valido; è conservato com'è e mai usato: {{malformed_from}}
            {{/malformed_from}}

            {{text}}

            --
            La risposta a questa e-mail viene inviata al cliente. Comandi nelle prime righe: #take, #assign NOME,
            #status open|pending|resolved|closed, #priority low|normal|high|urgent, #due AAAA-MM-GG,
            #internal (una nota che il cliente non vede mai).
            """,
        .agentCustomerReply: """
            Subject: {{ticket_tag}} {{subject}}

            {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}> ha scritto nel ticket #{{ticket_number}} ({{status}}):
            {{#attachments}}
            Allegati: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ATTENZIONE: questo messaggio NON ha superato l'autenticazione del mittente ({{sender_failed}}). L'indirizzo From è probabilmente falsificato: il messaggio è in un ticket a parte, non ha aggiunto nessuno, non ha eseguito comandi e non ha ricevuto risposte automatiche. Non inviare nulla di riservato a questo indirizzo senza verificare in altro modo.
            {{/sender_failed}}{{#sender_unverified}}Il mittente non è verificato ({{sender_unverified}}): l'indirizzo From potrebbe essere falsificato. Verifica prima di inviare qualcosa di riservato.
            {{/sender_unverified}}{{#sender_verified}}Mittente verificato: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}In To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Aggiunti al ticket: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Non aggiunti: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}ATTENZIONE: questo messaggio ha più campi From (segno di falsificazione); il primo è preso come mittente: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Un indirizzo From non è valido; è conservato com'è e mai usato: {{malformed_from}}
            {{/malformed_from}}

            {{text}}
            """,
        .agentInternalNote: """
            Subject: {{ticket_tag}} {{subject}}

            {{author_name}} ha scritto una nota interna sul ticket #{{ticket_number}} ({{status}}):

            {{text}}

            --
            Interno: il cliente non vede questa nota. Rispondere a questo messaggio scrive un'altra nota interna.
            """,
        .relay: """
            Subject: {{ticket_tag}} {{subject}}

            {{text}}

            --
            {{agent_name}}, {{helpdesk_name}}
            Può rispondere direttamente a questo messaggio; mantenga {{ticket_tag}} nell'oggetto.
            {{#portal_link}}Può seguire questo ticket anche qui: {{portal_link}}
            {{/portal_link}}
            """,
        .assigned: """
            Subject: {{ticket_tag}} {{subject}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{agent_name}} si occupa ora del Suo ticket #{{ticket_number}}: «{{subject}}».
            {{#due}}
            Prevediamo di completarlo entro il {{due}}.
            {{/due}}

            Se desidera aggiungere qualcosa, risponda a questo messaggio.

            {{#portal_link}}
            Può seguire questo ticket anche qui: {{portal_link}}
            {{/portal_link}}

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .resolved: """
            Subject: {{ticket_tag}} Risolto: {{subject}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            consideriamo risolto il Suo ticket #{{ticket_number}} «{{subject}}».

            Se qualcosa non va ancora, è sufficiente rispondere a questo messaggio e il ticket verrà riaperto.
            In assenza di risposta, verrà chiuso automaticamente tra {{close_after}}{{#close_at}} (il {{close_at}}){{/close_at}}.

            {{#portal_link}}
            Può seguire questo ticket anche qui: {{portal_link}}
            {{/portal_link}}

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .reminder: """
            Subject: {{ticket_tag}} Chiusura imminente: {{subject}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            il Suo ticket #{{ticket_number}} «{{subject}}» è risolto e verrà chiuso il {{close_at}}.
            Se ha ancora bisogno di aiuto, risponda a questo messaggio prima di tale data.

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .closed: """
            Subject: {{ticket_tag}} Chiuso: {{subject}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            il Suo ticket #{{ticket_number}} «{{subject}}» è ora chiuso. La ringraziamo per aver contattato {{helpdesk_name}}.

            Se ci scriverà di nuovo a questo proposito, apriremo un nuovo ticket che farà riferimento a questo.

            {{#portal_link}}
            Può seguire questo ticket anche qui: {{portal_link}}
            {{/portal_link}}

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .followUp: """
            Subject: {{ticket_tag}} {{subject}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            poiché il ticket #{{previous_number}} è già chiuso, il Suo messaggio ha aperto un nuovo ticket, \
            #{{ticket_number}}: «{{subject}}». Il nuovo ticket fa riferimento a quello precedente, quindi non andrà perso nulla.

            Risponda a questo messaggio per aggiungere informazioni; mantenga {{ticket_tag}} nell'oggetto.

            {{#portal_link}}
            Può seguire questo ticket anche qui: {{portal_link}}
            {{/portal_link}}

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .statusSummary: """
            Subject: I Suoi ticket presso {{helpdesk_name}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{ticket_list}}

            Per aggiungere informazioni a un ticket, risponda a una delle sue e-mail; per chiuderlo, scriva #close nella prima riga della risposta.

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .welcome: """
            Subject: Le diamo il benvenuto in {{helpdesk_name}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            è stato creato un account per Lei presso {{helpdesk_name}}. Per confermare che questo indirizzo è Suo, \
            è sufficiente rispondere a questo messaggio; il testo della risposta non ha importanza.

            Può contattarci in qualsiasi momento all'indirizzo {{queue_address}}.

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .passwordReset: """
            Subject: Il Suo codice per reimpostare la password di {{helpdesk_name}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            il Suo codice per reimpostare la password è: {{code}}

            Può essere utilizzato una sola volta e scade tra {{expires_minutes}} minuti. Se non lo ha richiesto, \
            ignori questo messaggio: non cambierà nulla.

            Cordiali saluti
            {{helpdesk_name}}
            """,
        .commandError: """
            Subject: Non eseguito: {{subject}}

            Non è stato possibile eseguire le istruzioni della Sua e-mail così come sono scritte, e non è stato modificato nulla:

            {{errors}}

            Corregga le righe indicate sopra e invii di nuovo l'e-mail.

            Cordiali saluti
            {{helpdesk_name}}
            """,
    ]
}
