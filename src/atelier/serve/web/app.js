// The try-on page: builds a multipart form from the chosen files and shows the answer.
// Plain script, no build step; every control is a native element, so keyboard and screen
// readers work without extra code.
"use strict";

const form = document.getElementById("tryon-form");
const personInput = document.getElementById("person");
const personPreview = document.getElementById("person-preview");
const garmentList = document.getElementById("garment-list");
const garmentTemplate = document.getElementById("garment-template");
const addGarmentButton = document.getElementById("add-garment");
const garmentLimit = document.getElementById("garment-limit");
const tryonButton = document.getElementById("tryon-button");
const progress = document.getElementById("progress");
const statusText = document.getElementById("status");
const errorText = document.getElementById("error");
const resultSection = document.getElementById("result-section");
const beforeImage = document.getElementById("before-image");
const resultImage = document.getElementById("result-image");
const compareBefore = document.getElementById("compare-before");
const compareAfter = document.getElementById("compare-after");
const compareSlider = document.getElementById("compare-slider");
const compareBox = document.querySelector(".compare");
const downloadLink = document.getElementById("download-link");

const maxGarments = Number(garmentList.dataset.maxGarments) || 6;
let personUrl = null;
let resultUrl = null;

function garmentRows() {
  return Array.from(garmentList.querySelectorAll("li.garment"));
}

// Labels and ids follow the row's position, so "Garment 2 image" is always the second row.
function renumberGarments() {
  garmentRows().forEach((row, index) => {
    const number = index + 1;
    const file = row.querySelector(".garment-file");
    const category = row.querySelector(".garment-category");
    file.id = `garment-file-${number}`;
    category.id = `garment-category-${number}`;
    row.querySelector('[data-label="image"]').htmlFor = file.id;
    row.querySelector('[data-label="image"]').textContent = `Garment ${number} image`;
    row.querySelector('[data-label="category"]').htmlFor = category.id;
    row.querySelector('[data-label="category"]').textContent = `Garment ${number} category`;
    row.querySelector(".remove-garment").setAttribute("aria-label", `Remove garment ${number}`);
  });
  const count = garmentRows().length;
  addGarmentButton.disabled = count >= maxGarments;
  garmentLimit.textContent = count >= maxGarments ? `At most ${maxGarments} garments.` : "";
}

function addGarment() {
  if (garmentRows().length >= maxGarments) return;
  const row = garmentTemplate.content.firstElementChild.cloneNode(true);
  row.querySelector(".remove-garment").addEventListener("click", () => {
    row.remove();
    renumberGarments();
    addGarmentButton.focus();
  });
  garmentList.appendChild(row);
  renumberGarments();
  return row;
}

function showError(message) {
  errorText.textContent = message;
  errorText.hidden = false;
}

function clearError() {
  errorText.textContent = "";
  errorText.hidden = true;
}

function setBusy(busy) {
  tryonButton.disabled = busy;
  progress.hidden = !busy;
  form.setAttribute("aria-busy", busy ? "true" : "false");
}

function buildForm() {
  const person = personInput.files[0];
  if (!person) throw new Error("Choose a person photo.");
  const garments = garmentRows()
    .map((row) => ({ file: row.querySelector(".garment-file").files[0], category: row.querySelector(".garment-category").value }))
    .filter((garment) => garment.file);
  if (garments.length === 0) throw new Error("Choose at least one garment image.");
  const data = new FormData();
  data.append("person", person);
  for (const garment of garments) {
    data.append("garment", garment.file);
    data.append("category", garment.category);
  }
  data.append("task", garments.length === 1 ? "single" : "multi");
  const instruction = document.getElementById("instruction").value.trim();
  if (instruction) data.append("instruction", instruction);
  data.append("restore_detail", document.getElementById("restore-detail").checked ? "true" : "false");
  data.append("format", "png");
  return data;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (ignored) {
    // Not JSON: fall through to the status line.
  }
  return `The server answered ${response.status} ${response.statusText}.`;
}

function showResult(blob) {
  if (resultUrl) URL.revokeObjectURL(resultUrl);
  resultUrl = URL.createObjectURL(blob);
  beforeImage.src = personUrl;
  compareBefore.src = personUrl;
  resultImage.src = resultUrl;
  compareAfter.src = resultUrl;
  downloadLink.href = resultUrl;
  resultSection.hidden = false;
  updateComparison();
  resultImage.dataset.state = "done";
}

// The comparison box takes the result's shape, so neither picture is cropped.
compareAfter.addEventListener("load", () => {
  if (compareAfter.naturalWidth && compareAfter.naturalHeight) {
    compareBox.style.aspectRatio = `${compareAfter.naturalWidth} / ${compareAfter.naturalHeight}`;
  }
});

function updateComparison() {
  // The slider is the divider: the original shows to its left, the result to its right.
  const divider = Number(compareSlider.value);
  compareAfter.style.clipPath = `inset(0 0 0 ${divider}%)`;
  compareSlider.setAttribute("aria-valuetext", `${divider}% original, ${100 - divider}% result`);
}

async function tryOn(event) {
  event.preventDefault();
  clearError();
  let data;
  try {
    data = buildForm();
  } catch (error) {
    showError(error.message);
    return;
  }
  const headers = {};
  const apiKey = document.getElementById("api-key").value.trim();
  if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  setBusy(true);
  resultImage.dataset.state = "working";
  const started = performance.now();
  statusText.textContent = "Dressing…";
  const timer = setInterval(() => {
    statusText.textContent = `Dressing… ${Math.round((performance.now() - started) / 1000)} s`;
  }, 1000);
  try {
    const response = await fetch("/v1/tryon", { method: "POST", body: data, headers });
    if (!response.ok) {
      const retry = response.headers.get("Retry-After");
      const message = await errorMessage(response);
      throw new Error(retry ? `${message} (retry in ${retry} s)` : message);
    }
    showResult(await response.blob());
    statusText.textContent = `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
  } catch (error) {
    resultImage.dataset.state = "failed";
    statusText.textContent = "";
    showError(error.message || "The request failed.");
  } finally {
    clearInterval(timer);
    setBusy(false);
  }
}

personInput.addEventListener("change", () => {
  if (personUrl) URL.revokeObjectURL(personUrl);
  const file = personInput.files[0];
  personUrl = file ? URL.createObjectURL(file) : null;
  personPreview.hidden = !personUrl;
  if (personUrl) personPreview.src = personUrl;
});
addGarmentButton.addEventListener("click", () => {
  const row = addGarment();
  if (row) row.querySelector(".garment-file").focus();
});
compareSlider.addEventListener("input", updateComparison);
form.addEventListener("submit", tryOn);

addGarment();
