/// The built-in mail templates, in every language Postdesk writes. Operators override any of them with a file
/// `templates/LANG/KIND.txt` next to the config (see Config/templates/README.md).
public enum DefaultTemplates {
    public static let all: [String: [TemplateKind: String]] = {
        let base: [String: [TemplateKind: String]] = ["en": en, "es": es, "de": de, "pl": pl, "fr": fr, "it": it]
        // The portal's sign-in mail lives in its own file (DefaultTemplates+SignIn.swift).
        return base.reduce(into: [:]) { all, pair in all[pair.key] = pair.value.merging(signIn[pair.key] ?? [:]) { a, _ in a } }
    }()

    static let en: [TemplateKind: String] = [
        .confirmation: """
            Subject: {{ticket_tag}} {{subject}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            thank you for writing to {{helpdesk_name}}. We have received your message and opened ticket \
            #{{ticket_number}}: "{{subject}}".
            {{#turnaround}}
            We will answer within {{turnaround}}.
            {{/turnaround}}

            What you can do by mail:
            - Reply to this message to add information; keep {{ticket_tag}} in the subject.
            - Put colleagues in Cc to have them follow the ticket.
            - Write #close on the first line of a reply to close the ticket if you no longer need help.
            - Send a mail with the subject "status" to {{queue_address}} to see all your tickets.

            {{#portal_link}}
            You can also follow this ticket at: {{portal_link}}
            {{/portal_link}}

            {{helpdesk_name}}
            """,
        .agentNewTicket: """
            Subject: {{ticket_tag}} New ticket: {{subject}}

            New ticket #{{ticket_number}} in {{queue}} from {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>.
            {{#attachments}}
            Attachments: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}WARNING: this mail FAILED sender authentication ({{sender_failed}}). The From address is probably forged: the mail is on a ticket of its own, brought nobody along, ran no command and got no automatic answer. Do not send anything confidential to this address without checking by other means.
            {{/sender_failed}}{{#sender_unverified}}The sender is not verified ({{sender_unverified}}): the From address may be forged. Check before sending anything confidential.
            {{/sender_unverified}}{{#sender_verified}}Sender verified: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}In To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Joined the ticket: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Not added: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}WARNING: this mail has several From fields (a sign of forgery); the first is taken as the sender: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}A From address is malformed; it is kept as written and never used: {{malformed_from}}
            {{/malformed_from}}

            {{text}}

            --
            Reply to this mail to answer the customer. Commands on the first lines: #take, #assign NAME,
            #status open|pending|resolved|closed, #priority low|normal|high|urgent, #due YYYY-MM-DD,
            #internal (a note the customer never sees).
            """,
        .agentCustomerReply: """
            Subject: {{ticket_tag}} {{subject}}

            {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}> wrote on ticket #{{ticket_number}} ({{status}}):
            {{#attachments}}
            Attachments: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}WARNING: this mail FAILED sender authentication ({{sender_failed}}). The From address is probably forged: the mail is on a ticket of its own, brought nobody along, ran no command and got no automatic answer. Do not send anything confidential to this address without checking by other means.
            {{/sender_failed}}{{#sender_unverified}}The sender is not verified ({{sender_unverified}}): the From address may be forged. Check before sending anything confidential.
            {{/sender_unverified}}{{#sender_verified}}Sender verified: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}In To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Joined the ticket: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Not added: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}WARNING: this mail has several From fields (a sign of forgery); the first is taken as the sender: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}A From address is malformed; it is kept as written and never used: {{malformed_from}}
            {{/malformed_from}}

            {{text}}
            """,
        .agentInternalNote: """
            Subject: {{ticket_tag}} {{subject}}

            {{author_name}} wrote an internal note on ticket #{{ticket_number}} ({{status}}):

            {{text}}

            --
            Internal: the customer does not see this note. Replying to this message writes another internal note.
            """,
        .relay: """
            Subject: {{ticket_tag}} {{subject}}

            {{text}}

            --
            {{agent_name}}, {{helpdesk_name}}
            Reply to this message to answer; keep {{ticket_tag}} in the subject.
            {{#portal_link}}You can also follow this ticket at: {{portal_link}}
            {{/portal_link}}
            """,
        .assigned: """
            Subject: {{ticket_tag}} {{subject}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{agent_name}} is now handling your ticket #{{ticket_number}}: "{{subject}}".
            {{#due}}
            We plan to have it done by {{due}}.
            {{/due}}

            Reply to this message if there is anything to add.

            {{#portal_link}}
            You can also follow this ticket at: {{portal_link}}
            {{/portal_link}}

            {{helpdesk_name}}
            """,
        .resolved: """
            Subject: {{ticket_tag}} Resolved: {{subject}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            we consider your ticket #{{ticket_number}} "{{subject}}" resolved.

            If something is still not right, simply reply to this message and the ticket opens again.
            Without a reply it closes by itself in {{close_after}}{{#close_at}} ({{close_at}}){{/close_at}}.

            {{#portal_link}}
            You can also follow this ticket at: {{portal_link}}
            {{/portal_link}}

            {{helpdesk_name}}
            """,
        .reminder: """
            Subject: {{ticket_tag}} Closing soon: {{subject}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            your ticket #{{ticket_number}} "{{subject}}" is resolved and will close on {{close_at}}.
            Reply to this message before then if you still need help.

            {{helpdesk_name}}
            """,
        .closed: """
            Subject: {{ticket_tag}} Closed: {{subject}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            your ticket #{{ticket_number}} "{{subject}}" is now closed. Thank you for contacting {{helpdesk_name}}.

            If you write to us again about it, we will open a new ticket that refers to this one.

            {{#portal_link}}
            You can also follow this ticket at: {{portal_link}}
            {{/portal_link}}

            {{helpdesk_name}}
            """,
        .followUp: """
            Subject: {{ticket_tag}} {{subject}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            ticket #{{previous_number}} is already closed, so your message opened a new ticket, \
            #{{ticket_number}}: "{{subject}}". It refers to the earlier one, so nothing is lost.

            Reply to this message to add information; keep {{ticket_tag}} in the subject.

            {{#portal_link}}
            You can also follow this ticket at: {{portal_link}}
            {{/portal_link}}

            {{helpdesk_name}}
            """,
        .statusSummary: """
            Subject: Your tickets with {{helpdesk_name}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{ticket_list}}

            Reply to any ticket's mail to add to it, or write #close on its first line to close it.

            {{helpdesk_name}}
            """,
        .welcome: """
            Subject: Welcome to {{helpdesk_name}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            an account has been created for you at {{helpdesk_name}}. To confirm that this address is yours, \
            simply reply to this message; the text of your reply does not matter.

            You can always reach us at {{queue_address}}.

            {{helpdesk_name}}
            """,
        .passwordReset: """
            Subject: Your {{helpdesk_name}} password reset code

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            your password reset code is: {{code}}

            It can be used once and expires in {{expires_minutes}} minutes. If you did not ask for it, ignore \
            this message: nothing changes.

            {{helpdesk_name}}
            """,
        .commandError: """
            Subject: Not done: {{subject}}

            Your mail could not be carried out as written, and nothing was changed:

            {{errors}}

            Correct the lines above and send the mail again.

            {{helpdesk_name}}
            """,
    ]
}
