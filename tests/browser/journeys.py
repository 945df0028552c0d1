"""Steps that more than one browser journey walks, written once.

Each step takes a phone-sized page and the axe checker, waits for its page, checks it and does
what a person would do there. The journeys chain them and assert what they care about between.
"""

from __future__ import annotations

from scrubhub.hubs.models import Hub

COORDINATOR_EMAIL = "ailsa@example.org"
COORDINATOR_PASSWORD = "stitch-in-time-42"
HUB_NAME = "Angus Scrub Hub"
LAUNDRY_EMAIL = "linen@example.org"
KEEPING = {
    "Days a maker may keep a kit before it is overdue": "10",
    "Days to keep volunteers' details after the stand-down date": "90",
}
MONDAY_HOURS = {"Monday opens": "10:00", "Monday closes": "16:00"}
GARMENT_METRES = {"Scrub top, size M": "1.5", "Scrub trousers, size L": "1.8"}


def sign_up_to_start_a_hub(page, axe, *, password_again: str = COORDINATOR_PASSWORD) -> None:
    page.goto("/")
    page.get_by_role("link", name="Start a hub").click()
    page.get_by_role("heading", name="Start a scrub hub").wait_for()
    axe(page)
    page.get_by_label("Your full name").fill("Ailsa Morrow")
    page.get_by_label("Your email address").fill(COORDINATOR_EMAIL)
    page.get_by_label("Choose a password").fill(COORDINATOR_PASSWORD)
    page.get_by_label("Type the password again").fill(password_again)
    page.get_by_label("The hub's name").fill(HUB_NAME)
    page.get_by_label("Town or area it serves").fill("Angus")
    page.get_by_role("button", name="Start the hub").click()


def _on_step(page, axe, heading: str, answers: dict[str, str], *, exact: bool = False) -> None:
    """Waits for the step's page, checks it and fills in its boxes, label by label."""
    page.get_by_role("heading", name=heading, exact=exact).wait_for()
    axe(page)
    for label, answer in answers.items():
        page.get_by_label(label).fill(answer)


def _add_then_go_on(page, axe, *, button: str, added: str) -> str:
    """Adds one hospital or point, checks the page that says so and goes on to the next step.
    Returns what the page's messages said."""
    page.get_by_role("button", name=button).click()
    page.get_by_text(f"{added} is added.").wait_for()
    said = page.locator(".messages").inner_text()
    axe(page)
    page.get_by_role("link", name="Go on to the next step").click()
    return said


def _save_and_go_on(page) -> None:
    page.get_by_role("button", name="Save and go on").click()


def place_the_hub(page, axe) -> None:
    """Step 1: the hub's contact details, placed by tapping the map."""
    _on_step(
        page,
        axe,
        "The hub",
        {
            "Phone number for volunteers": "01307 000000",
            "Email address for volunteers": "angus@example.org",
        },
        exact=True,
    )
    assert "Step 1 of 6" in page.locator(".step-count").inner_text()
    page.get_by_role("region", name="Map: tap to place the hub").click()
    assert page.get_by_label("Latitude of the hub").input_value() != ""
    _save_and_go_on(page)


def add_the_hospital(page, axe) -> None:
    """Step 2: a hospital, and an invitation to its laundry."""
    _on_step(
        page,
        axe,
        "The hospitals you serve",
        {
            "Hospital's name": "Stracathro Hospital",
            "Email of someone in the laundry": LAUNDRY_EMAIL,
        },
    )
    said = _add_then_go_on(page, axe, button="Add the hospital", added="Stracathro Hospital")
    assert "The invitation goes once the hub is open." in said


def choose_garments_and_sizes(page, axe) -> None:
    """Step 3: a scrub top in M and scrub trousers in L, with fabric metres for each."""
    _on_step(page, axe, "Garments and sizes", GARMENT_METRES)
    _save_and_go_on(page)


def add_a_point(page, axe) -> None:
    """Step 4: a drop-off point, placed on the map."""
    _on_step(
        page,
        axe,
        "Drop-off points",
        {
            "Point's name": "Forfar Library",
            "Address": "50 West High Street, Forfar",
            "Postcode": "dd8 1ba",
        },
    )
    page.get_by_role("region", name="Map: tap to place the point").click()
    assert page.get_by_label("Latitude", exact=True).input_value() != ""
    _add_then_go_on(page, axe, button="Add the point", added="Forfar Library")


def set_opening_hours(page, axe) -> None:
    """Step 5: when the points are open."""
    _on_step(page, axe, "When the points are open", MONDAY_HOURS)
    _save_and_go_on(page)


def set_kits_and_keeping(page, axe) -> None:
    """Step 6: the overdue limit and how long volunteers' details are kept."""
    _on_step(page, axe, "Kits, stand-down and keeping details", KEEPING)
    _save_and_go_on(page)


def ask_to_open_the_hub(page, axe) -> None:
    page.get_by_role("heading", name=f"Setting up {HUB_NAME}").wait_for()
    axe(page)
    page.get_by_role("button", name="Ask to open the hub").click()
    page.get_by_text("Waiting for us to open it.").wait_for()
    axe(page)


def start_a_hub(page, axe) -> Hub:
    """A new coordinator signs up at /start/ and walks every setup step in one go, then asks
    to open the hub. Returns the hub, waiting for an operator."""
    sign_up_to_start_a_hub(page, axe)
    place_the_hub(page, axe)
    add_the_hospital(page, axe)
    choose_garments_and_sizes(page, axe)
    add_a_point(page, axe)
    set_opening_hours(page, axe)
    set_kits_and_keeping(page, axe)
    ask_to_open_the_hub(page, axe)
    return Hub.objects.get(name=HUB_NAME)


def operator_opens_the_hub(operator, axe, name: str = HUB_NAME) -> None:
    operator.goto("/operator/hubs/")
    operator.get_by_role("heading", name=name).wait_for()
    axe(operator)
    operator.get_by_role("button", name=f"Open {name}").click()
    operator.get_by_text(f"{name} is open.").wait_for()
    axe(operator)


def upload_volunteer_sheet(page, tmp_path, text: str) -> None:
    """Uploads a CSV at /hub/volunteers/import/ and waits for the column-matching page."""
    sheet = tmp_path / "volunteers.csv"
    sheet.write_text(text)
    page.goto("/hub/volunteers/import/")
    page.get_by_label("Your spreadsheet of volunteers").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.get_by_role("heading", name="What is in each column?").wait_for()


def choose_a_batch(page, *, stock_option: str, kit_count: int = 3) -> None:
    """On /hub/kits/prepare/: kits of five size M scrub tops from the given stock, up to the
    page that shows what the batch takes."""
    page.get_by_label("Scrub top").check()
    page.locator("#id_size").select_option("M")
    page.get_by_label("Garments in each kit").fill("5")
    page.get_by_label("How many kits").fill(str(kit_count))
    page.get_by_label("Stock to draw from").select_option(stock_option)
    page.get_by_role("button", name="Show what this takes").click()
    page.get_by_role("heading", name="Check and confirm the batch").wait_for()
