/// The built-in mail templates in French ("vous"). Mail commands (#close, #take, ...) stay as they are;
/// the status subject is the French one customers may use (LanguagePack.fr.statusSubjects).
extension DefaultTemplates {
    static let fr: [TemplateKind: String] = [
        .confirmation: """
            Subject: {{ticket_tag}} {{subject}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Merci d'avoir écrit à {{helpdesk_name}}. Nous avons bien reçu votre message et ouvert le ticket \
            #{{ticket_number}} : « {{subject}} ».
            {{#turnaround}}
            Nous vous répondrons sous {{turnaround}}.
            {{/turnaround}}

            Ce que vous pouvez faire par e-mail :
            - Répondez à ce message pour ajouter des informations ; conservez {{ticket_tag}} dans l'objet.
            - Mettez vos collègues en copie (Cc) pour qu'ils puissent suivre le ticket.
            - Écrivez #close sur la première ligne d'une réponse pour fermer le ticket si vous n'avez plus besoin d'aide.
            - Envoyez un e-mail avec l'objet « statut » à {{queue_address}} pour voir tous vos tickets.

            {{#portal_link}}
            Vous pouvez aussi suivre ce ticket ici : {{portal_link}}
            {{/portal_link}}

            Cordialement,
            {{helpdesk_name}}
            """,
        .agentNewTicket: """
            Subject: {{ticket_tag}} Nouveau ticket : {{subject}}

            Nouveau ticket #{{ticket_number}} dans la file {{queue}} de {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>.
            {{#attachments}}
            Pièces jointes : {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ATTENTION : ce message a ÉCHOUÉ à l'authentification de l'expéditeur ({{sender_failed}}). L'adresse From est probablement falsifiée : le message est dans un ticket à part, n'a ajouté personne, n'a exécuté aucune commande et n'a reçu aucune réponse automatique. N'envoyez rien de confidentiel à cette adresse sans vérifier par un autre moyen.
            {{/sender_failed}}{{#sender_unverified}}L'expéditeur n'est pas vérifié ({{sender_unverified}}) : l'adresse From peut être falsifiée. Vérifiez avant d'envoyer quoi que ce soit de confidentiel.
            {{/sender_unverified}}{{#sender_verified}}Expéditeur vérifié : {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}En To/Cc : {{recipients}}
            {{/recipients}}{{#cc_joined}}Ajoutés au ticket : {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Non ajoutés : {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}ATTENTION : ce message a plusieurs champs From (signe de falsification) ; le premier est pris comme expéditeur : {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Une adresse From est mal formée ; elle est gardée telle quelle et jamais utilisée : {{malformed_from}}
            {{/malformed_from}}

            {{text}}

            --
            Votre réponse à cet e-mail sera envoyée au client. Commandes sur les premières lignes : #take, #assign NOM,
            #status open|pending|resolved|closed, #priority low|normal|high|urgent, #due AAAA-MM-JJ,
            #internal (une note que le client ne voit jamais).
            """,
        .agentCustomerReply: """
            Subject: {{ticket_tag}} {{subject}}

            {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}> a écrit sur le ticket #{{ticket_number}} ({{status}}) :
            {{#attachments}}
            Pièces jointes : {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ATTENTION : ce message a ÉCHOUÉ à l'authentification de l'expéditeur ({{sender_failed}}). L'adresse From est probablement falsifiée : le message est dans un ticket à part, n'a ajouté personne, n'a exécuté aucune commande et n'a reçu aucune réponse automatique. N'envoyez rien de confidentiel à cette adresse sans vérifier par un autre moyen.
            {{/sender_failed}}{{#sender_unverified}}L'expéditeur n'est pas vérifié ({{sender_unverified}}) : l'adresse From peut être falsifiée. Vérifiez avant d'envoyer quoi que ce soit de confidentiel.
            {{/sender_unverified}}{{#sender_verified}}Expéditeur vérifié : {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}En To/Cc : {{recipients}}
            {{/recipients}}{{#cc_joined}}Ajoutés au ticket : {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}Non ajoutés : {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}ATTENTION : ce message a plusieurs champs From (signe de falsification) ; le premier est pris comme expéditeur : {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Une adresse From est mal formée ; elle est gardée telle quelle et jamais utilisée : {{malformed_from}}
            {{/malformed_from}}

            {{text}}
            """,
        .agentInternalNote: """
            Subject: {{ticket_tag}} {{subject}}

            {{author_name}} a écrit une note interne sur le ticket #{{ticket_number}} ({{status}}) :

            {{text}}

            --
            Interne : le client ne voit pas cette note. Répondre à ce message écrit une autre note interne.
            """,
        .relay: """
            Subject: {{ticket_tag}} {{subject}}

            {{text}}

            --
            {{agent_name}}, {{helpdesk_name}}
            Pour nous répondre, répondez simplement à ce message ; conservez {{ticket_tag}} dans l'objet.
            {{#portal_link}}Vous pouvez aussi suivre ce ticket ici : {{portal_link}}
            {{/portal_link}}
            """,
        .assigned: """
            Subject: {{ticket_tag}} {{subject}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{agent_name}} prend désormais en charge votre ticket #{{ticket_number}} : « {{subject}} ».
            {{#due}}
            Nous prévoyons de le traiter d'ici le {{due}}.
            {{/due}}

            Si vous avez quelque chose à ajouter, répondez simplement à ce message.

            {{#portal_link}}
            Vous pouvez aussi suivre ce ticket ici : {{portal_link}}
            {{/portal_link}}

            Cordialement,
            {{helpdesk_name}}
            """,
        .resolved: """
            Subject: {{ticket_tag}} Résolu : {{subject}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Nous considérons votre ticket #{{ticket_number}} « {{subject}} » comme résolu.

            Si quelque chose ne va toujours pas, répondez simplement à ce message et le ticket sera rouvert.
            Sans réponse de votre part, il sera fermé automatiquement dans {{close_after}}{{#close_at}} (le {{close_at}}){{/close_at}}.

            {{#portal_link}}
            Vous pouvez aussi suivre ce ticket ici : {{portal_link}}
            {{/portal_link}}

            Cordialement,
            {{helpdesk_name}}
            """,
        .reminder: """
            Subject: {{ticket_tag}} Fermeture prochaine : {{subject}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Votre ticket #{{ticket_number}} « {{subject}} » est résolu et sera fermé le {{close_at}}.
            Si vous avez encore besoin d'aide, répondez à ce message avant cette date.

            Cordialement,
            {{helpdesk_name}}
            """,
        .closed: """
            Subject: {{ticket_tag}} Fermé : {{subject}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Votre ticket #{{ticket_number}} « {{subject}} » est maintenant fermé. Merci d'avoir contacté {{helpdesk_name}}.

            Si vous nous écrivez à nouveau à ce sujet, nous ouvrirons un nouveau ticket qui fera référence à celui-ci.

            {{#portal_link}}
            Vous pouvez aussi suivre ce ticket ici : {{portal_link}}
            {{/portal_link}}

            Cordialement,
            {{helpdesk_name}}
            """,
        .followUp: """
            Subject: {{ticket_tag}} {{subject}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Le ticket #{{previous_number}} étant déjà fermé, votre message a ouvert un nouveau ticket, \
            #{{ticket_number}} : « {{subject}} ». Il fait référence au précédent : rien n'est perdu.

            Répondez à ce message pour ajouter des informations ; conservez {{ticket_tag}} dans l'objet.

            {{#portal_link}}
            Vous pouvez aussi suivre ce ticket ici : {{portal_link}}
            {{/portal_link}}

            Cordialement,
            {{helpdesk_name}}
            """,
        .statusSummary: """
            Subject: Vos tickets chez {{helpdesk_name}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            {{ticket_list}}

            Pour compléter un ticket, répondez à l'un de ses e-mails ; pour le fermer, écrivez #close sur la première ligne de votre réponse.

            Cordialement,
            {{helpdesk_name}}
            """,
        .welcome: """
            Subject: Bienvenue chez {{helpdesk_name}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Un compte a été créé pour vous chez {{helpdesk_name}}. Pour confirmer que cette adresse vous appartient, \
            répondez simplement à ce message ; le contenu de votre réponse n'a pas d'importance.

            Vous pouvez nous joindre à tout moment à l'adresse {{queue_address}}.

            Cordialement,
            {{helpdesk_name}}
            """,
        .passwordReset: """
            Subject: Votre code de réinitialisation du mot de passe {{helpdesk_name}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            Votre code de réinitialisation du mot de passe est : {{code}}

            Il n'est utilisable qu'une seule fois et expire dans {{expires_minutes}} minutes. Si vous ne l'avez pas demandé, \
            ignorez ce message : rien ne sera modifié.

            Cordialement,
            {{helpdesk_name}}
            """,
        .commandError: """
            Subject: Non exécuté : {{subject}}

            Les instructions de votre e-mail n'ont pas pu être exécutées telles qu'elles sont rédigées, et rien n'a été modifié :

            {{errors}}

            Corrigez les lignes ci-dessus et renvoyez l'e-mail.

            Cordialement,
            {{helpdesk_name}}
            """,
    ]
}
