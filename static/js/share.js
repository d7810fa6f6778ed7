// A board's share button: the phone's share sheet with the board's summary and link, or, where the browser has
// none (most desktops), the summary and link copied to the clipboard with a visible note. The words and the
// summary come from the server (data- attributes of the button), in the reader's language.
"use strict";

function showShareButtons() {
  document.querySelectorAll(".share-button[data-share-url]").forEach((button) => { button.hidden = false; });
}

function copyByHand(text) {
  // Browsers without the asynchronous clipboard (a page served over plain http) still copy a selection.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "visually-hidden";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("copy refused");
}

async function copyShared(button, status) {
  const { shareText, shareUrl } = button.dataset;
  const both = `${shareText}\n${shareUrl}`;
  try {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      await navigator.clipboard.writeText(both);
    } else {
      copyByHand(both);
    }
    status.textContent = button.dataset.shareCopied;
  } catch (error) {
    status.textContent = `${button.dataset.shareFailed} ${shareUrl}`;
  }
  status.hidden = false;
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest(".share-button[data-share-url]");
  if (!button) return;
  const status = button.parentElement.querySelector(".share-status");
  status.hidden = true;
  const { shareTitle, shareText, shareUrl } = button.dataset;
  if (typeof navigator.share === "function") {
    try {
      await navigator.share({ title: shareTitle, text: shareText, url: shareUrl });
      return;
    } catch (error) {
      if (error && error.name === "AbortError") return;  // the user closed the share sheet
    }
  }
  await copyShared(button, status);
});

document.addEventListener("DOMContentLoaded", showShareButtons);
// A board's period or ward changed by htmx brings a new button.
document.addEventListener("htmx:afterSettle", showShareButtons);
