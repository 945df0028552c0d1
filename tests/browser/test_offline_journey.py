"""A point helper loses her signal: the scan page and the kit pages she opened still work,
each handover she records waits on the phone with its own key, and when the signal comes
back the server has each exactly once. One the kit's state no longer allows (someone
recorded it meanwhile) is refused with what happened and what to do. Signing out with
handovers not sent yet asks her first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dropoffs import services
from dropoffs.models import Handover
from packages.models import Kit
from tests.dropoffs import builders as b

pytestmark = pytest.mark.xdist_group("browser")


WORKER_IN_CHARGE = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
  }
}"""


def all_sent(page):
    expect(page.locator("[data-outbox-status]")).to_have_text("All handovers sent.")


def open_with_worker(page, *paths):
    """Open the pages while there is signal, once the service worker looks after them."""
    page.goto("/scan/")
    page.evaluate(WORKER_IN_CHARGE)
    for path in [*paths, "/scan/"]:
        page.goto(path)


def banner(page):
    return page.locator("[data-outbox]")


def test_two_handovers_recorded_offline_are_each_sent_once(page_for, world, axe):
    waiting = b.kit_waiting(world)
    with_maker = b.kit_with_maker(world, finished=3)
    page = page_for("point_helper")
    open_with_worker(page, f"/kit/{waiting.code}/", f"/kit/{with_maker.code}/")
    before = Handover.objects.count()

    page.context.set_offline(True)
    # Typing a code opens a kit page the phone kept; any other kit needs the signal.
    page.get_by_label("Kit code").fill(waiting.code.lower())
    page.get_by_role("button", name="Find the kit").click()
    page.wait_for_url(f"**/kit/{waiting.code}/")
    expect(banner(page)).to_contain_text("No signal")
    other = b.kit_waiting(world)
    page.goto(f"/scan/?code={other.code}")
    expect(banner(page)).to_contain_text(f"Kit {other.code} was not opened on this phone before")
    page.goto(f"/kit/{waiting.code}/")
    page.get_by_role("button", name="Kit given to the maker").click()
    page.wait_for_url("**/scan/")
    expect(banner(page).get_by_role("heading", name="Waiting to send (1)")).to_be_visible()

    page.goto(f"/kit/{with_maker.code}/")
    section = page.locator(
        "section", has=page.get_by_role("heading", name="Take back finished scrubs")
    )
    section.get_by_label("How many garments?").fill("3")
    section.get_by_role("button", name="Take back these scrubs").click()
    page.wait_for_url("**/scan/")
    expect(banner(page).get_by_role("heading", name="Waiting to send (2)")).to_be_visible()
    items = banner(page).locator("li").all_inner_texts()
    assert items[0].startswith(f"Waiting to send: Kit {waiting.display_code}: Kit given")
    assert items[1].startswith(f"Waiting to send: Kit {with_maker.display_code}: Take back")
    assert Handover.objects.count() == before  # nothing reached the server
    axe(page)

    page.context.set_offline(False)
    all_sent(page)
    sent = banner(page).locator("li").all_inner_texts()
    assert sent == [
        f"Sent: Kit {waiting.display_code} given to its maker.",
        f"Sent: 3 finished garments from kit {with_maker.display_code} taken in.",
    ]
    axe(page)

    recorded = Handover.objects.filter(
        client_key__isnull=False, recorded_by=world.user("point_helper")
    )
    assert recorded.count() == 2
    assert {h.kind for h in recorded} == {
        Handover.Kind.COLLECTED_BY_MAKER,
        Handover.Kind.RETURNED_BY_MAKER,
    }
    assert Kit.objects.get(pk=waiting.pk).status == Kit.Status.WITH_MAKER
    kit = Kit.objects.get(pk=with_maker.pk)
    assert (kit.qty_with_maker, kit.qty_at_point) == (2, 3)

    # Sending again (the page loading once more, Background Sync) records nothing twice.
    page.reload()
    expect(banner(page)).to_be_hidden()
    assert page.evaluate("ScrubHubOutbox.list()") == []
    assert Handover.objects.count() == before + 2


def test_a_queued_handover_the_kit_no_longer_allows_is_refused_with_a_message(page_for, world, axe):
    kit = b.kit_waiting(world)
    page = page_for("point_helper")
    open_with_worker(page, f"/kit/{kit.code}/")

    page.context.set_offline(True)
    page.goto(f"/kit/{kit.code}/")
    page.get_by_role("button", name="Kit given to the maker").click()
    page.wait_for_url("**/scan/")
    expect(banner(page).get_by_role("heading", name="Waiting to send (1)")).to_be_visible()
    # Meanwhile the maker went to the hub, which gave her the kit there.
    services.handover_kit_collect(kit=kit, actor=world.user("hub_staff"), point=world.point)

    page.context.set_offline(False)
    refused = banner(page).locator("li.outbox-refused")
    refused.wait_for()
    assert re.fullmatch(
        rf"Not recorded: Kit {kit.display_code}: Kit given to the maker\. Kit "
        rf"{kit.display_code} was already given to its maker at Library point at \d\d:\d\d\. "
        r"Nothing more to do\.\s*I have read this: remove kit .*",
        refused.inner_text(),
        flags=re.S,
    )
    axe(page)
    assert Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).count() == 1

    # Still there after a reload, until she says she has read it.
    page.reload()
    refused.wait_for()
    refused.get_by_role("button", name=re.compile("I have read this")).click()
    expect(refused).to_have_count(0)


def test_signing_out_with_a_handover_not_sent_asks_first(page_for, world, axe):
    kit = b.kit_waiting(world)
    page = page_for("point_helper")
    open_with_worker(page, f"/kit/{kit.code}/")
    page.context.set_offline(True)
    page.goto(f"/kit/{kit.code}/")
    page.get_by_role("button", name="Kit given to the maker").click()
    page.wait_for_url("**/scan/")

    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog", name="Handovers not sent yet")
    assert "You have 1 handover not sent yet. Stay signed in until you have signal again?" in (
        dialog.inner_text()
    )
    axe(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_have_count(0)
    assert page.url.endswith("/scan/")
    expect(banner(page).get_by_role("heading", name="Waiting to send (1)")).to_be_visible()

    # With signal again it is sent; signing out then asks nothing.
    page.context.set_offline(False)
    all_sent(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: not url.endswith("/scan/"))
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.WITH_MAKER
    assert page.evaluate("caches.has('scrubhub-pages')") is False


def test_a_group_hand_in_recorded_offline_is_sent_once(page_for, world, axe):
    from makers.models import MakerGroup
    from packages import services as packages
    from tests import factories

    group = MakerGroup.objects.get(leader=world.user("group_leader"))
    staff = world.user("hub_staff")
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    for kit in kits:
        packages.kit_allocate(kit=kit, group=group, actor=staff, collection_point=world.point)
        packages.kit_collect(kit=kit, actor=staff)
    page = page_for("point_helper")
    open_with_worker(page, f"/kit/{kits[0].code}/hand-in/")

    page.context.set_offline(True)
    page.goto(f"/kit/{kits[0].code}/hand-in/")
    page.get_by_label(re.compile(f"Kit {kits[0].display_code}: finished")).fill("4")
    page.get_by_label(re.compile(f"Kit {kits[1].display_code}: finished")).fill("1")
    page.get_by_role("button", name="Take them all in").click()
    page.wait_for_url("**/scan/")
    expect(banner(page).get_by_role("heading", name="Waiting to send (1)")).to_be_visible()

    page.context.set_offline(False)
    all_sent(page)
    assert banner(page).locator("li").all_inner_texts() == [
        f"Sent: 5 finished garments taken in from {group.name}."
    ]
    handover = Handover.objects.get(client_key__isnull=False)
    assert sorted(m.count for m in handover.movements.all()) == [1, 4]
