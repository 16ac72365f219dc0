#!/usr/bin/env python3
"""The customer portal in a real browser: headless Chromium driven by Selenium, all from Debian (chromium,
chromium-driver, python3-selenium). Selenium is pointed at /usr/bin/chromedriver, so it never downloads anything.

Usage: portal_browser.py POSTDESK_BINARY SCREENSHOT_DIR

The real `postdesk run` and `postdesk portal` behind the real nginx site (deploy/nginx, TLS with a self-signed
certificate on loopback: the `__Host-` cookie needs HTTPS). A customer signs in by a mailed link (read from the
outbound maildir), signs out, signs in by password, lists and filters tickets, opens one, replies with a file,
opens a new ticket, closes it, prints one to PDF, signs out. Every step leaves a screenshot in SCREENSHOT_DIR
when it fails (and the page's HTML beside it); the folder is removed by the caller when all passed.
"""
import base64, os, re, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from portal_harness import Desk, Nginx  # noqa: E402

os.environ["SE_OFFLINE"] = "true"
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
SHOTS = os.path.abspath(sys.argv[2])
os.makedirs(SHOTS, exist_ok=True)

desk = Desk(BINARY)
desk.deliver("Ana García <ana@example.org>", "Printer on fire", "The printer is on fire.\nSecond line.")
desk.deliver("Ana García <ana@example.org>", "Laptop battery", "It lasts ten minutes.")
desk.deliver("Ben <ben@example.org>", "Ben's private ticket", "Not for Ana.")
desk.ingest()
desk.cli("customers", "reset-code", "ana@example.org")
desk.ingest()
code = re.search(r"reset code is: *([0-9][0-9 -]*[0-9])", desk.wait_mail("ana@example.org", "reset code is:").get_body(("plain",)).get_content()).group(1)
PASSWORD = "a long and happy passphrase"
desk.cli("customers", "set-password", "ana@example.org", "--code", code, "--password-file", "-", input=PASSWORD + "\n")
# nginx first: its address is the portal's public url (links in mail, and the Origin a browser sends).
nginx = Nginx(desk)
BASE = nginx.base
desk.url = BASE
desk.write_config(url=BASE)
desk.start_daemon()
desk.start_portal()

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--ignore-certificate-errors",
             f"--user-data-dir={tempfile.mkdtemp(prefix='portal-chromium-')}", "--lang=en-US"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)

step_name = "start"
failed = False


def step(name):
    global step_name
    step_name = name
    print(f"step {name}", flush=True)


def shot(label):
    safe = re.sub(r"[^a-z0-9-]+", "-", label.lower())
    driver.save_screenshot(os.path.join(SHOTS, f"{safe}.png"))
    with open(os.path.join(SHOTS, f"{safe}.html"), "w") as f:
        f.write(driver.page_source)


def fill(name, value):
    e = driver.find_element(By.NAME, name)
    e.clear()
    e.send_keys(value)


def submit_form(action):
    driver.find_element(By.CSS_SELECTOR, f'form[action="{action}"] button[type="submit"], form[action="{action}"] input[type="submit"]').click()


def path():
    return driver.current_url.replace(BASE, "")


def wait_for(predicate, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (at {driver.current_url})")


try:
    step("mail link sign-in")
    driver.get(BASE + "/sign-in")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    driver.get(BASE + "/sign-in/link")
    fill("email", "ana@example.org")
    submit_form("/sign-in/link")
    mail = desk.wait_mail("ana@example.org", "/sign-in/link?token=")
    link = re.search(r"https?://\S+/sign-in/link\?token=[A-Za-z0-9_-]+", mail.get_body(("plain",)).get_content()).group(0)
    driver.get(BASE + link[link.index("/sign-in"):])
    submit_form("/sign-in/link")
    wait_for(lambda: path().startswith("/tickets") or path() == "/", "the signed-in page")
    assert "Printer on fire" in driver.page_source or "/tickets" in path()

    step("sign out")
    driver.get(BASE + "/tickets")
    submit_form("/sign-out")
    driver.get(BASE + "/tickets")
    wait_for(lambda: "/sign-in" in path(), "the sign-in page after sign-out")

    step("password sign-in")
    fill("email", "ana@example.org")
    fill("password", PASSWORD)
    submit_form("/sign-in")
    wait_for(lambda: "/sign-in" not in path(), "signed in by password")

    step("list and filter")
    driver.get(BASE + "/tickets")
    assert "Printer on fire" in driver.page_source and "Laptop battery" in driver.page_source
    assert "Ben's private ticket" not in driver.page_source
    fill("q", "battery")
    driver.find_element(By.CSS_SELECTOR, 'form[action="/tickets"] button[type="submit"]').click()
    wait_for(lambda: "q=battery" in driver.current_url, "the search")
    assert "Laptop battery" in driver.page_source and "Printer on fire" not in driver.page_source

    step("open a ticket")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Laptop battery").click()
    wait_for(lambda: re.match(r"^/tickets/\d+$", path()), "the ticket page")
    ticket = path()
    assert "It lasts ten minutes." in driver.page_source

    step("reply with a file")
    upload = os.path.join(desk.root, "battery-report.txt")
    with open(upload, "w") as f:
        f.write("cycle count 1200\n")
    fill("text", "Here is the battery report.")
    driver.find_element(By.CSS_SELECTOR, f'form[action="{ticket}/reply"] input[type="file"]').send_keys(upload)
    submit_form(f"{ticket}/reply")
    wait_for(lambda: "Here is the battery report." in driver.page_source, "the reply on the page")
    assert "battery-report.txt" in driver.page_source
    desk.wait_mail("alice@acme.test", "Here is the battery report.")

    step("print to PDF")
    driver.get(BASE + ticket + "/print")
    assert "Here is the battery report." in driver.page_source
    assert not driver.find_elements(By.TAG_NAME, "form"), "the print page has forms"
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000

    step("new ticket")
    driver.get(BASE + "/tickets/new")
    fill("subject", "Opened in the browser")
    fill("text", "Typed in Chromium.")
    Select(driver.find_element(By.NAME, "priority")).select_by_value("high")
    submit_form("/tickets/new")
    wait_for(lambda: re.match(r"^/tickets/\d+", path()) and "Opened in the browser" in driver.page_source, "the new ticket")
    new_ticket = re.match(r"^(/tickets/\d+)", path()).group(1)
    desk.wait_mail("ana@example.org", "Opened in the browser")

    step("close it")
    submit_form(f"{new_ticket}/close")
    wait_for(lambda: not driver.find_elements(By.CSS_SELECTOR, f'form[action="{new_ticket}/close"]'), "the ticket closed")
    number = new_ticket.rsplit("/", 1)[1]
    assert '"closed"' in desk.cli("tickets", "show", number, "--json").stdout

    step("sign out at the end")
    submit_form("/sign-out")
    driver.get(BASE + "/tickets")
    wait_for(lambda: "/sign-in" in path(), "signed out")
    print("ok   browser: every step passed", flush=True)
except Exception as e:  # noqa: BLE001
    failed = True
    print(f"FAIL browser step {step_name!r}: {e}", flush=True)
    import traceback
    traceback.print_exc()
    try:
        shot(step_name)
        print(f"screenshot: {SHOTS}", flush=True)
    except Exception as e2:  # noqa: BLE001
        print(f"(no screenshot: {e2})")
    print(desk.logs())
finally:
    driver.quit()
    nginx.stop()
    desk.cleanup()
sys.exit(1 if failed else 0)
