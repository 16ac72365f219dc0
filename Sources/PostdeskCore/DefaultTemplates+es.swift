/// The built-in mail templates in Spanish (formal "usted"). Mail commands (#close, #take, ...) stay as they are;
/// the status subject is the Spanish one customers may use (LanguagePack.es.statusSubjects).
extension DefaultTemplates {
    static let es: [TemplateKind: String] = [
        .confirmation: """
            Subject: {{ticket_tag}} {{subject}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            Gracias por escribir a {{helpdesk_name}}. Hemos recibido su mensaje y hemos abierto el ticket \
            #{{ticket_number}}: «{{subject}}».
            {{#turnaround}}
            Le responderemos en un plazo máximo de {{turnaround}}.
            {{/turnaround}}

            Lo que puede hacer por correo electrónico:
            - Responda a este mensaje para añadir información; mantenga {{ticket_tag}} en el asunto.
            - Ponga en copia (Cc) a sus compañeros para que puedan seguir el ticket.
            - Escriba #close en la primera línea de una respuesta para cerrar el ticket si ya no necesita ayuda.
            - Envíe un correo con el asunto «estado» a {{queue_address}} para ver todos sus tickets.

            {{#portal_link}}
            También puede seguir este ticket en: {{portal_link}}
            {{/portal_link}}

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .agentNewTicket: """
            Subject: {{ticket_tag}} Nuevo ticket: {{subject}}

            Nuevo ticket #{{ticket_number}} en la cola {{queue}} de {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}>.
            {{#attachments}}
            Adjuntos: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ATENCIÓN: este correo NO superó la autenticación del remitente ({{sender_failed}}). La dirección From probablemente es falsa: el correo está en un ticket propio, no ha añadido a nadie, no ha ejecutado ningún comando y no ha recibido respuesta automática. No envíe nada confidencial a esta dirección sin comprobarlo por otros medios.
            {{/sender_failed}}{{#sender_unverified}}El remitente no está verificado ({{sender_unverified}}): la dirección From puede ser falsa. Compruébelo antes de enviar algo confidencial.
            {{/sender_unverified}}{{#sender_verified}}Remitente verificado: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}En To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Se han unido al ticket: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}No añadidos: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}ADVERTENCIA: este correo tiene varios campos From (señal de falsificación); el primero se toma como remitente: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Una dirección From está mal formada; se conserva tal cual y nunca se usa: {{malformed_from}}
            {{/malformed_from}}

            {{text}}

            --
            Su respuesta a este correo se enviará al cliente. Comandos en las primeras líneas: #take, #assign NOMBRE,
            #status open|pending|resolved|closed, #priority low|normal|high|urgent, #due AAAA-MM-DD,
            #internal (una nota que el cliente nunca ve).
            """,
        .agentCustomerReply: """
            Subject: {{ticket_tag}} {{subject}}

            {{#requester_name}}{{requester_name}} {{/requester_name}}<{{requester}}> ha escrito en el ticket #{{ticket_number}} ({{status}}):
            {{#attachments}}
            Adjuntos: {{attachments}}
            {{/attachments}}
            {{#sender_failed}}ATENCIÓN: este correo NO superó la autenticación del remitente ({{sender_failed}}). La dirección From probablemente es falsa: el correo está en un ticket propio, no ha añadido a nadie, no ha ejecutado ningún comando y no ha recibido respuesta automática. No envíe nada confidencial a esta dirección sin comprobarlo por otros medios.
            {{/sender_failed}}{{#sender_unverified}}El remitente no está verificado ({{sender_unverified}}): la dirección From puede ser falsa. Compruébelo antes de enviar algo confidencial.
            {{/sender_unverified}}{{#sender_verified}}Remitente verificado: {{sender_verified}}.
            {{/sender_verified}}{{#recipients}}En To/Cc: {{recipients}}
            {{/recipients}}{{#cc_joined}}Se han unido al ticket: {{cc_joined}}
            {{/cc_joined}}{{#cc_not_joined}}No añadidos: {{cc_not_joined}}
            {{/cc_not_joined}}{{#from_fields}}ADVERTENCIA: este correo tiene varios campos From (señal de falsificación); el primero se toma como remitente: {{from_fields}}
            {{/from_fields}}{{#malformed_from}}Una dirección From está mal formada; se conserva tal cual y nunca se usa: {{malformed_from}}
            {{/malformed_from}}

            {{text}}
            """,
        .agentInternalNote: """
            Subject: {{ticket_tag}} {{subject}}

            {{author_name}} ha escrito una nota interna en el ticket #{{ticket_number}} ({{status}}):

            {{text}}

            --
            Interno: el cliente no ve esta nota. Responder a este mensaje escribe otra nota interna.
            """,
        .relay: """
            Subject: {{ticket_tag}} {{subject}}

            {{text}}

            --
            {{agent_name}}, {{helpdesk_name}}
            Puede contestar respondiendo a este mensaje; mantenga {{ticket_tag}} en el asunto.
            {{#portal_link}}También puede seguir este ticket en: {{portal_link}}
            {{/portal_link}}
            """,
        .assigned: """
            Subject: {{ticket_tag}} {{subject}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            {{agent_name}} se encarga ahora de su ticket #{{ticket_number}}: «{{subject}}».
            {{#due}}
            Tenemos previsto resolverlo a más tardar el {{due}}.
            {{/due}}

            Si desea añadir algo, responda a este mensaje.

            {{#portal_link}}
            También puede seguir este ticket en: {{portal_link}}
            {{/portal_link}}

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .resolved: """
            Subject: {{ticket_tag}} Resuelto: {{subject}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            Consideramos resuelto su ticket #{{ticket_number}} «{{subject}}».

            Si algo sigue sin funcionar, basta con responder a este mensaje y el ticket se volverá a abrir.
            Si no recibimos respuesta, se cerrará automáticamente dentro de {{close_after}}{{#close_at}} (el {{close_at}}){{/close_at}}.

            {{#portal_link}}
            También puede seguir este ticket en: {{portal_link}}
            {{/portal_link}}

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .reminder: """
            Subject: {{ticket_tag}} Se cerrará pronto: {{subject}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            Su ticket #{{ticket_number}} «{{subject}}» está resuelto y se cerrará el {{close_at}}.
            Si todavía necesita ayuda, responda a este mensaje antes de esa fecha.

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .closed: """
            Subject: {{ticket_tag}} Cerrado: {{subject}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            Su ticket #{{ticket_number}} «{{subject}}» ya está cerrado. Gracias por ponerse en contacto con {{helpdesk_name}}.

            Si vuelve a escribirnos sobre este asunto, abriremos un nuevo ticket que hará referencia a este.

            {{#portal_link}}
            También puede seguir este ticket en: {{portal_link}}
            {{/portal_link}}

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .followUp: """
            Subject: {{ticket_tag}} {{subject}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            El ticket #{{previous_number}} ya está cerrado, por lo que su mensaje ha abierto un nuevo ticket, \
            #{{ticket_number}}: «{{subject}}». El nuevo ticket hace referencia al anterior, así que no se pierde nada.

            Responda a este mensaje para añadir información; mantenga {{ticket_tag}} en el asunto.

            {{#portal_link}}
            También puede seguir este ticket en: {{portal_link}}
            {{/portal_link}}

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .statusSummary: """
            Subject: Sus tickets en {{helpdesk_name}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            {{ticket_list}}

            Para añadir información a un ticket, responda a cualquiera de sus correos; para cerrarlo, escriba #close en la primera línea de la respuesta.

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .welcome: """
            Subject: Le damos la bienvenida a {{helpdesk_name}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            Se ha creado una cuenta para usted en {{helpdesk_name}}. Para confirmar que esta dirección es suya, \
            simplemente responda a este mensaje; el texto de la respuesta no importa.

            Puede contactarnos en cualquier momento en {{queue_address}}.

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .passwordReset: """
            Subject: Su código para restablecer la contraseña de {{helpdesk_name}}

            Hola{{#customer_name}}, {{customer_name}}{{/customer_name}}:

            Su código para restablecer la contraseña es: {{code}}

            Solo puede utilizarse una vez y caduca en {{expires_minutes}} minutos. Si no lo ha solicitado, ignore \
            este mensaje: no se modificará nada.

            Un cordial saludo,
            {{helpdesk_name}}
            """,
        .commandError: """
            Subject: No ejecutado: {{subject}}

            No se ha podido ejecutar su correo tal como está escrito, y no se ha modificado nada:

            {{errors}}

            Corrija las líneas indicadas arriba y vuelva a enviar el correo.

            Un cordial saludo,
            {{helpdesk_name}}
            """,
    ]
}
