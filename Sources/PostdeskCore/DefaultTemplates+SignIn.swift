/// The portal's sign-in mail (`sign_in_link`) in every language: a single-use link and the same token as a code
/// to type, valid for `{{expires_minutes}}` minutes. Merged into `DefaultTemplates.all`.
extension DefaultTemplates {
    static let signIn: [String: [TemplateKind: String]] = [
        "en": [.signInLink: """
            Subject: Sign in to {{helpdesk_name}}

            Hello{{#customer_name}} {{customer_name}}{{/customer_name}},

            to sign in to the {{helpdesk_name}} customer portal, open this link:

            {{#link}}{{link}}{{/link}}

            Or type this code on the sign-in page: {{code}}

            The link and the code work once and expire in {{expires_minutes}} minutes. If you did not ask to \
            sign in, ignore this message: nobody can sign in without it.

            {{helpdesk_name}}
            """],
        "es": [.signInLink: """
            Subject: Acceso a {{helpdesk_name}}

            Hola{{#customer_name}} {{customer_name}}{{/customer_name}}:

            para entrar en el portal de clientes de {{helpdesk_name}}, abra este enlace:

            {{#link}}{{link}}{{/link}}

            O escriba este código en la página de acceso: {{code}}

            El enlace y el código sirven una sola vez y caducan en {{expires_minutes}} minutos. Si no ha pedido \
            acceder, ignore este mensaje: nadie puede entrar sin él.

            {{helpdesk_name}}
            """],
        "de": [.signInLink: """
            Subject: Anmeldung bei {{helpdesk_name}}

            Guten Tag{{#customer_name}} {{customer_name}}{{/customer_name}},

            um sich im Kundenportal von {{helpdesk_name}} anzumelden, öffnen Sie diesen Link:

            {{#link}}{{link}}{{/link}}

            Oder geben Sie diesen Code auf der Anmeldeseite ein: {{code}}

            Link und Code gelten einmal und verfallen in {{expires_minutes}} Minuten. Wenn Sie keine Anmeldung \
            angefordert haben, ignorieren Sie diese Nachricht: ohne sie kann sich niemand anmelden.

            {{helpdesk_name}}
            """],
        "pl": [.signInLink: """
            Subject: Logowanie do {{helpdesk_name}}

            Dzień dobry{{#customer_name}} {{customer_name}}{{/customer_name}},

            aby zalogować się do portalu klienta {{helpdesk_name}}, otwórz ten link:

            {{#link}}{{link}}{{/link}}

            Albo wpisz ten kod na stronie logowania: {{code}}

            Link i kod działają jeden raz i wygasają za {{expires_minutes}} minut. Jeśli nie prosiłeś o \
            logowanie, zignoruj tę wiadomość: nikt nie zaloguje się bez niej.

            {{helpdesk_name}}
            """],
        "fr": [.signInLink: """
            Subject: Connexion à {{helpdesk_name}}

            Bonjour{{#customer_name}} {{customer_name}}{{/customer_name}},

            pour vous connecter au portail client de {{helpdesk_name}}, ouvrez ce lien :

            {{#link}}{{link}}{{/link}}

            Ou saisissez ce code sur la page de connexion : {{code}}

            Le lien et le code ne servent qu'une fois et expirent dans {{expires_minutes}} minutes. Si vous \
            n'avez pas demandé à vous connecter, ignorez ce message : personne ne peut se connecter sans lui.

            {{helpdesk_name}}
            """],
        "it": [.signInLink: """
            Subject: Accesso a {{helpdesk_name}}

            Buongiorno{{#customer_name}} {{customer_name}}{{/customer_name}},

            per accedere al portale clienti di {{helpdesk_name}}, apra questo link:

            {{#link}}{{link}}{{/link}}

            Oppure inserisca questo codice nella pagina di accesso: {{code}}

            Il link e il codice valgono una sola volta e scadono tra {{expires_minutes}} minuti. Se non ha \
            chiesto di accedere, ignori questo messaggio: nessuno può accedere senza di esso.

            {{helpdesk_name}}
            """],
    ]
}
