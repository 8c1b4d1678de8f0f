"""The web page in headless Chromium: choose a person and two garments rendered by the
world, press Try on, see the result beside the original, and keep a screenshot.

Skipped, with the reason, where Chromium, chromedriver or selenium is missing
(``apt-get install chromium chromium-driver``; ``pip install selenium``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atelier.data.images import save_image_atomic
from atelier.serve import ServeSettings, create_app
from atelier.serve.background_server import BackgroundServer
from atelier.world.tasks import make_record
from tests.serve.pipeline_doubles import GarmentCollagePipeline

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
REPOSITORY = Path(__file__).resolve().parents[2]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip(
        "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def world_inputs(folder: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """A person and two garments from the world's multi-garment task, saved as PNG."""
    record = next(r for r in (make_record("multi", "test", 0, i, (256, 192)) for i in range(20)) if len(r.garments) == 2)
    person = folder / "person.png"
    save_image_atomic(record.person.image, person)
    garments = []
    for index, garment in enumerate(record.garments):
        path = folder / f"garment{index}.png"
        save_image_atomic(garment.image, path)
        garments.append((path, garment.category))
    return person, garments


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1100,1700",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_try_on_from_the_page(browser, tmp_path):
    person, garments = world_inputs(tmp_path)
    pipeline = GarmentCollagePipeline()
    # A batching wait of half a second keeps the request in flight long enough to see the progress bar.
    with BackgroundServer(create_app(ServeSettings(max_wait_ms=500), pipeline=pipeline)) as server:
        browser.get(server.url + "/")
        assert "Atelier" in browser.title

        browser.find_element(By.ID, "person").send_keys(str(person))
        browser.find_element(By.ID, "garment-file-1").send_keys(str(garments[0][0]))
        Select(browser.find_element(By.ID, "garment-category-1")).select_by_value(garments[0][1])
        browser.find_element(By.ID, "add-garment").click()
        browser.find_element(By.ID, "garment-file-2").send_keys(str(garments[1][0]))
        Select(browser.find_element(By.ID, "garment-category-2")).select_by_value(garments[1][1])
        browser.find_element(By.ID, "instruction").send_keys("tuck the top in")
        detail = browser.find_element(By.ID, "restore-detail")
        assert detail.is_selected()  # on by default, as in the API
        detail.click()

        browser.find_element(By.ID, "tryon-button").click()
        progress = browser.find_element(By.ID, "progress")
        assert progress.is_displayed()

        WebDriverWait(browser, 30).until(
            lambda driver: driver.find_element(By.ID, "result-image").get_attribute("data-state") in ("done", "failed")
        )
        assert browser.find_element(By.ID, "error").is_displayed() is False, browser.find_element(By.ID, "error").text
        WebDriverWait(browser, 10).until(
            lambda driver: driver.execute_script("return document.getElementById('result-image').naturalWidth") > 0
        )
        assert not progress.is_displayed()
        assert browser.find_element(By.ID, "before-image").is_displayed()
        assert browser.find_element(By.ID, "download-link").get_attribute("href").startswith("blob:")

        slider = browser.find_element(By.ID, "compare-slider")
        slider.send_keys(Keys.ARROW_RIGHT)  # the comparison works from the keyboard
        assert slider.get_attribute("value") == "51"

        screenshot = tmp_path / "screenshot.png"
        assert browser.save_screenshot(str(screenshot))

    (sent,) = pipeline.requests
    assert sent.task == "multi"
    assert sent.categories == tuple(category for _, category in garments)
    assert sent.instruction == "tuck the top in"
    assert sent.restore_detail is False
    assert sent.person.shape == (256, 192, 3)
    published = REPOSITORY / "out" / "serve"
    published.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, published / "screenshot.png")
