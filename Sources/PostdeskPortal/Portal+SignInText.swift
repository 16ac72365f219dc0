import PostdeskCore
import PostdeskHTTP

// The sign-in pages' layout and words (en, es, de, pl, fr, it).
extension Portal {
    /// A whole page of the sign-in part: `lang`, the stylesheet, a header with the helpdesk's name (and, signed
    /// in, the menu with the sign-out button), the page in `<main>`. (Until the shared layout exists.)
    func signInLayout(_ ctx: inout RequestContext, title: String, body: String, status: Int = 200) -> HTTPResponse {
        let t = ctx.text
        let name = HTML.escape(config.helpdesk.name)
        var nav = ""
        if ctx.session != nil {
            let csrf = csrfField(&ctx)
            nav = """
                <nav aria-label="\(HTML.escape(t("signin.nav.label")))"><ul>
                <li><a href="/tickets">\(HTML.escape(t("signin.nav.tickets")))</a></li>
                <li><a href="/profile">\(HTML.escape(t("signin.nav.profile")))</a></li>
                <li><form method="post" action="/sign-out">\(csrf)<button type="submit">\(HTML.escape(t("signin.signout")))</button></form></li>
                </ul></nav>
                """
        }
        let page = """
            <!doctype html>
            <html lang="\(ctx.language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) – \(name)</title>
            <link rel="stylesheet" href="/static/portal.css">
            </head>
            <body>
            <header><p class="site"><a href="/">\(name)</a></p>\(nav)</header>
            <main>
            \(body)</main>
            </body>
            </html>

            """
        return .html(status, page)
    }
}

extension PortalText {
    static let signIn: [String: [String: String]] = [
        "signin.title": ["en": "Sign in", "es": "Acceder", "de": "Anmelden", "pl": "Logowanie", "fr": "Connexion", "it": "Accesso"],
        "signin.email": ["en": "Email address", "es": "Dirección de correo", "de": "E-Mail-Adresse", "pl": "Adres e-mail", "fr": "Adresse e-mail", "it": "Indirizzo e-mail"],
        "signin.password": ["en": "Password", "es": "Contraseña", "de": "Passwort", "pl": "Hasło", "fr": "Mot de passe", "it": "Password"],
        "signin.submit": ["en": "Sign in", "es": "Acceder", "de": "Anmelden", "pl": "Zaloguj się", "fr": "Se connecter", "it": "Accedi"],
        "signin.failed": ["en": "The address or the password is not right.", "es": "La dirección o la contraseña no son correctas.", "de": "Die Adresse oder das Passwort stimmt nicht.", "pl": "Adres lub hasło jest nieprawidłowe.", "fr": "L'adresse ou le mot de passe est incorrect.", "it": "L'indirizzo o la password non sono corretti."],
        "signin.link.ask": ["en": "Email me a sign-in link instead", "es": "Enviarme un enlace de acceso por correo", "de": "Mir stattdessen einen Anmeldelink senden", "pl": "Wyślij mi link do logowania", "fr": "M'envoyer plutôt un lien de connexion", "it": "Inviatemi invece un link di accesso"],
        "signin.code.ask": ["en": "Type the code from the mail", "es": "Escribir el código del correo", "de": "Den Code aus der E-Mail eingeben", "pl": "Wpisz kod z wiadomości", "fr": "Saisir le code reçu par e-mail", "it": "Inserire il codice ricevuto per e-mail"],
        "signin.forgot.ask": ["en": "Forgot your password?", "es": "¿Ha olvidado su contraseña?", "de": "Passwort vergessen?", "pl": "Nie pamiętasz hasła?", "fr": "Mot de passe oublié ?", "it": "Password dimenticata?"],
        "signin.password.instead": ["en": "Sign in with a password", "es": "Acceder con contraseña", "de": "Mit Passwort anmelden", "pl": "Zaloguj się hasłem", "fr": "Se connecter avec un mot de passe", "it": "Accedi con la password"],
        "signin.link.title": ["en": "Sign in with a link", "es": "Acceder con un enlace", "de": "Mit einem Link anmelden", "pl": "Logowanie przez link", "fr": "Connexion par lien", "it": "Accesso con un link"],
        "signin.link.intro": ["en": "We mail you a link and a code that sign you in once, within {minutes} minutes.", "es": "Le enviamos por correo un enlace y un código que le dan acceso una vez, durante {minutes} minutos.", "de": "Wir senden Ihnen einen Link und einen Code, mit denen Sie sich einmal anmelden können, innerhalb von {minutes} Minuten.", "pl": "Wyślemy Ci link i kod, które pozwolą zalogować się jeden raz w ciągu {minutes} minut.", "fr": "Nous vous envoyons un lien et un code qui vous connectent une fois, dans les {minutes} minutes.", "it": "Le inviamo un link e un codice che le permettono di accedere una volta, entro {minutes} minuti."],
        "signin.link.submit": ["en": "Send me a link", "es": "Enviarme un enlace", "de": "Link senden", "pl": "Wyślij link", "fr": "M'envoyer un lien", "it": "Inviatemi un link"],
        "signin.link.sent.title": ["en": "Check your mail", "es": "Revise su correo", "de": "Sehen Sie in Ihre E-Mails", "pl": "Sprawdź pocztę", "fr": "Consultez votre messagerie", "it": "Controlli la posta"],
        "signin.link.sent": ["en": "If the address has an account, we sent a link to it. It works once, for {minutes} minutes.", "es": "Si la dirección tiene una cuenta, le hemos enviado un enlace. Sirve una vez, durante {minutes} minutos.", "de": "Wenn zu der Adresse ein Konto gehört, haben wir ihr einen Link gesendet. Er gilt einmal, {minutes} Minuten lang.", "pl": "Jeśli ten adres ma konto, wysłaliśmy na niego link. Działa jeden raz, przez {minutes} minut.", "fr": "Si l'adresse a un compte, nous lui avons envoyé un lien. Il sert une fois, pendant {minutes} minutes.", "it": "Se l'indirizzo ha un account, gli abbiamo inviato un link. Vale una volta, per {minutes} minuti."],
        "signin.code.title": ["en": "Sign in with a code", "es": "Acceder con un código", "de": "Mit einem Code anmelden", "pl": "Logowanie kodem", "fr": "Connexion par code", "it": "Accesso con un codice"],
        "signin.code": ["en": "Code from the mail", "es": "Código del correo", "de": "Code aus der E-Mail", "pl": "Kod z wiadomości", "fr": "Code reçu par e-mail", "it": "Codice ricevuto per e-mail"],
        "signin.code.submit": ["en": "Sign in", "es": "Acceder", "de": "Anmelden", "pl": "Zaloguj się", "fr": "Se connecter", "it": "Accedi"],
        "signin.link.confirm.title": ["en": "Sign in", "es": "Acceder", "de": "Anmelden", "pl": "Logowanie", "fr": "Connexion", "it": "Accesso"],
        "signin.link.confirm": ["en": "Press the button to sign in. The link then stops working.", "es": "Pulse el botón para acceder. Después el enlace deja de funcionar.", "de": "Drücken Sie die Schaltfläche, um sich anzumelden. Danach gilt der Link nicht mehr.", "pl": "Naciśnij przycisk, aby się zalogować. Potem link przestanie działać.", "fr": "Appuyez sur le bouton pour vous connecter. Le lien cesse ensuite de fonctionner.", "it": "Prema il pulsante per accedere. Dopo il link non funziona più."],
        "signin.link.bad.title": ["en": "This link or code no longer works", "es": "Este enlace o código ya no funciona", "de": "Dieser Link oder Code gilt nicht mehr", "pl": "Ten link lub kod już nie działa", "fr": "Ce lien ou ce code ne fonctionne plus", "it": "Questo link o codice non funziona più"],
        "signin.link.bad": ["en": "The link or code is wrong, was used already, or has expired. Ask for a new one.", "es": "El enlace o el código es incorrecto, ya se usó o ha caducado. Pida uno nuevo.", "de": "Der Link oder Code ist falsch, wurde schon benutzt oder ist abgelaufen. Fordern Sie einen neuen an.", "pl": "Link lub kod jest błędny, został już użyty albo wygasł. Poproś o nowy.", "fr": "Le lien ou le code est erroné, a déjà servi ou a expiré. Demandez-en un nouveau.", "it": "Il link o il codice è errato, è già stato usato o è scaduto. Ne chieda uno nuovo."],
        "signin.link.instead": ["en": "Sign in with a link sent by mail", "es": "Acceder con un enlace enviado por correo", "de": "Mit einem per E-Mail gesendeten Link anmelden", "pl": "Zaloguj się linkiem wysłanym pocztą", "fr": "Se connecter avec un lien envoyé par e-mail", "it": "Accedi con un link inviato per e-mail"],
        "signin.forgot.title": ["en": "Forgot your password", "es": "Contraseña olvidada", "de": "Passwort vergessen", "pl": "Nie pamiętam hasła", "fr": "Mot de passe oublié", "it": "Password dimenticata"],
        "signin.forgot.intro": ["en": "We mail you a code to set a new password.", "es": "Le enviamos por correo un código para elegir una contraseña nueva.", "de": "Wir senden Ihnen einen Code, mit dem Sie ein neues Passwort festlegen.", "pl": "Wyślemy Ci kod do ustawienia nowego hasła.", "fr": "Nous vous envoyons un code pour choisir un nouveau mot de passe.", "it": "Le inviamo un codice per impostare una nuova password."],
        "signin.forgot.submit": ["en": "Send me a code", "es": "Enviarme un código", "de": "Code senden", "pl": "Wyślij kod", "fr": "M'envoyer un code", "it": "Inviatemi un codice"],
        "signin.forgot.sent": ["en": "If the address has an account, we sent a code to it. It works for {minutes} minutes.", "es": "Si la dirección tiene una cuenta, le hemos enviado un código. Sirve durante {minutes} minutos.", "de": "Wenn zu der Adresse ein Konto gehört, haben wir ihr einen Code gesendet. Er gilt {minutes} Minuten.", "pl": "Jeśli ten adres ma konto, wysłaliśmy na niego kod. Działa przez {minutes} minut.", "fr": "Si l'adresse a un compte, nous lui avons envoyé un code. Il est valable {minutes} minutes.", "it": "Se l'indirizzo ha un account, gli abbiamo inviato un codice. Vale per {minutes} minuti."],
        "signin.reset.title": ["en": "Set a new password", "es": "Elegir una contraseña nueva", "de": "Neues Passwort festlegen", "pl": "Ustaw nowe hasło", "fr": "Choisir un nouveau mot de passe", "it": "Imposta una nuova password"],
        "signin.reset.code": ["en": "Code from the mail", "es": "Código del correo", "de": "Code aus der E-Mail", "pl": "Kod z wiadomości", "fr": "Code reçu par e-mail", "it": "Codice ricevuto per e-mail"],
        "signin.reset.password": ["en": "New password (at least 8 characters)", "es": "Contraseña nueva (al menos 8 caracteres)", "de": "Neues Passwort (mindestens 8 Zeichen)", "pl": "Nowe hasło (co najmniej 8 znaków)", "fr": "Nouveau mot de passe (au moins 8 caractères)", "it": "Nuova password (almeno 8 caratteri)"],
        "signin.reset.submit": ["en": "Set the password and sign in", "es": "Guardar la contraseña y acceder", "de": "Passwort speichern und anmelden", "pl": "Ustaw hasło i zaloguj się", "fr": "Enregistrer le mot de passe et se connecter", "it": "Salva la password e accedi"],
        "signin.reset.failed": ["en": "The address or the code is wrong, the code was used already, or it has expired.", "es": "La dirección o el código es incorrecto, el código ya se usó o ha caducado.", "de": "Die Adresse oder der Code ist falsch, der Code wurde schon benutzt oder ist abgelaufen.", "pl": "Adres lub kod jest błędny, kod został już użyty albo wygasł.", "fr": "L'adresse ou le code est erroné, le code a déjà servi ou il a expiré.", "it": "L'indirizzo o il codice è errato, il codice è già stato usato o è scaduto."],
        "signin.password.short": ["en": "The password must have at least 8 characters.", "es": "La contraseña debe tener al menos 8 caracteres.", "de": "Das Passwort muss mindestens 8 Zeichen haben.", "pl": "Hasło musi mieć co najmniej 8 znaków.", "fr": "Le mot de passe doit comporter au moins 8 caractères.", "it": "La password deve avere almeno 8 caratteri."],
        "signin.password.long": ["en": "The password may have at most 128 characters.", "es": "La contraseña puede tener como máximo 128 caracteres.", "de": "Das Passwort darf höchstens 128 Zeichen haben.", "pl": "Hasło może mieć najwyżej 128 znaków.", "fr": "Le mot de passe peut comporter au plus 128 caractères.", "it": "La password può avere al massimo 128 caratteri."],
        "signin.password.common": ["en": "This password is one of the most common ones: choose another.", "es": "Esta contraseña es de las más comunes: elija otra.", "de": "Dieses Passwort gehört zu den häufigsten: wählen Sie ein anderes.", "pl": "To hasło należy do najczęściej używanych: wybierz inne.", "fr": "Ce mot de passe fait partie des plus courants : choisissez-en un autre.", "it": "Questa password è tra le più comuni: ne scelga un'altra."],
        "signin.throttled.title": ["en": "Too many attempts", "es": "Demasiados intentos", "de": "Zu viele Versuche", "pl": "Zbyt wiele prób", "fr": "Trop de tentatives", "it": "Troppi tentativi"],
        "signin.throttled.text": ["en": "Please wait {minutes} minute(s) and try again.", "es": "Espere {minutes} minuto(s) y vuelva a intentarlo.", "de": "Bitte warten Sie {minutes} Minute(n) und versuchen Sie es erneut.", "pl": "Odczekaj {minutes} min i spróbuj ponownie.", "fr": "Veuillez patienter {minutes} minute(s) et réessayer.", "it": "Attenda {minutes} minuto/i e riprovi."],
        "signin.signout": ["en": "Sign out", "es": "Salir", "de": "Abmelden", "pl": "Wyloguj się", "fr": "Se déconnecter", "it": "Esci"],
        "signin.signout.title": ["en": "Sign out", "es": "Salir", "de": "Abmelden", "pl": "Wylogowanie", "fr": "Déconnexion", "it": "Uscita"],
        "signin.signout.confirm": ["en": "Sign out of the portal on this device?", "es": "¿Salir del portal en este dispositivo?", "de": "Auf diesem Gerät vom Portal abmelden?", "pl": "Wylogować się z portalu na tym urządzeniu?", "fr": "Se déconnecter du portail sur cet appareil ?", "it": "Uscire dal portale su questo dispositivo?"],
        "signin.nav.tickets": ["en": "My tickets", "es": "Mis tickets", "de": "Meine Tickets", "pl": "Moje zgłoszenia", "fr": "Mes tickets", "it": "I miei ticket"],
        "signin.nav.profile": ["en": "Profile", "es": "Perfil", "de": "Profil", "pl": "Profil", "fr": "Profil", "it": "Profilo"],
        "signin.nav.label": ["en": "Main menu", "es": "Menú principal", "de": "Hauptmenü", "pl": "Menu główne", "fr": "Menu principal", "it": "Menu principale"],
        "profile.title": ["en": "Your profile", "es": "Su perfil", "de": "Ihr Profil", "pl": "Twój profil", "fr": "Votre profil", "it": "Il suo profilo"],
        "profile.name": ["en": "Name", "es": "Nombre", "de": "Name", "pl": "Imię i nazwisko", "fr": "Nom", "it": "Nome"],
        "profile.name.bad": ["en": "The name may have at most 200 characters, on one line.", "es": "El nombre puede tener como máximo 200 caracteres, en una línea.", "de": "Der Name darf höchstens 200 Zeichen in einer Zeile haben.", "pl": "Imię i nazwisko może mieć najwyżej 200 znaków w jednym wierszu.", "fr": "Le nom peut comporter au plus 200 caractères, sur une ligne.", "it": "Il nome può avere al massimo 200 caratteri, su una riga."],
        "profile.address": ["en": "Email address", "es": "Dirección de correo", "de": "E-Mail-Adresse", "pl": "Adres e-mail", "fr": "Adresse e-mail", "it": "Indirizzo e-mail"],
        "profile.company": ["en": "Company", "es": "Empresa", "de": "Firma", "pl": "Firma", "fr": "Entreprise", "it": "Azienda"],
        "profile.none": ["en": "none", "es": "ninguna", "de": "keine", "pl": "brak", "fr": "aucune", "it": "nessuna"],
        "profile.language": ["en": "Language", "es": "Idioma", "de": "Sprache", "pl": "Język", "fr": "Langue", "it": "Lingua"],
        "profile.timezone": ["en": "Time zone (for example Europe/Warsaw)", "es": "Zona horaria (por ejemplo Europe/Madrid)", "de": "Zeitzone (zum Beispiel Europe/Berlin)", "pl": "Strefa czasowa (na przykład Europe/Warsaw)", "fr": "Fuseau horaire (par exemple Europe/Paris)", "it": "Fuso orario (per esempio Europe/Rome)"],
        "profile.timezone.bad": ["en": "This time zone is unknown: use a name like Europe/Berlin.", "es": "Esta zona horaria no existe: use un nombre como Europe/Madrid.", "de": "Diese Zeitzone ist unbekannt: verwenden Sie einen Namen wie Europe/Berlin.", "pl": "Nieznana strefa czasowa: użyj nazwy takiej jak Europe/Warsaw.", "fr": "Ce fuseau horaire est inconnu : utilisez un nom comme Europe/Paris.", "it": "Questo fuso orario non esiste: usi un nome come Europe/Rome."],
        "profile.save": ["en": "Save", "es": "Guardar", "de": "Speichern", "pl": "Zapisz", "fr": "Enregistrer", "it": "Salva"],
        "profile.saved": ["en": "Your profile was saved.", "es": "Se ha guardado su perfil.", "de": "Ihr Profil wurde gespeichert.", "pl": "Profil został zapisany.", "fr": "Votre profil a été enregistré.", "it": "Il suo profilo è stato salvato."],
        "profile.password.title": ["en": "Change your password", "es": "Cambiar la contraseña", "de": "Passwort ändern", "pl": "Zmień hasło", "fr": "Changer de mot de passe", "it": "Cambia la password"],
        "profile.password.current": ["en": "Current password", "es": "Contraseña actual", "de": "Aktuelles Passwort", "pl": "Obecne hasło", "fr": "Mot de passe actuel", "it": "Password attuale"],
        "profile.password.submit": ["en": "Change the password", "es": "Cambiar la contraseña", "de": "Passwort ändern", "pl": "Zmień hasło", "fr": "Changer le mot de passe", "it": "Cambia la password"],
        "profile.password.wrong": ["en": "The current password is not right. (Without a password yet, set one with \"Forgot your password?\".)", "es": "La contraseña actual no es correcta. (Si aún no tiene contraseña, elija una con «¿Ha olvidado su contraseña?».)", "de": "Das aktuelle Passwort stimmt nicht. (Ohne Passwort legen Sie eines über „Passwort vergessen?“ fest.)", "pl": "Obecne hasło jest nieprawidłowe. (Jeśli nie masz jeszcze hasła, ustaw je przez „Nie pamiętasz hasła?”.)", "fr": "Le mot de passe actuel est incorrect. (Sans mot de passe, choisissez-en un avec « Mot de passe oublié ? ».)", "it": "La password attuale non è corretta. (Se non ha ancora una password, la imposti con «Password dimenticata?».)"],
        "profile.password.changed": ["en": "Your password was changed; every other session was signed out.", "es": "Se ha cambiado su contraseña; las demás sesiones se han cerrado.", "de": "Ihr Passwort wurde geändert; alle anderen Sitzungen wurden abgemeldet.", "pl": "Hasło zostało zmienione; wszystkie inne sesje zostały wylogowane.", "fr": "Votre mot de passe a été changé ; toutes les autres sessions ont été déconnectées.", "it": "La password è stata cambiata; tutte le altre sessioni sono state chiuse."],
    ]
}
