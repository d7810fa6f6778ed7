// Photos of an activity, taken with the phone's camera: each is drawn on a canvas at most 1280 px on its longest
// side and re-encoded as JPEG, lowering the quality (then the size) until it is at most 300 KB. Re-encoding drops
// EXIF and GPS. The result is kept as base64 in a hidden field "photos", so a form posted with no signal is
// queued with its photos (queue.js) and the server stores them with the activity, exactly once.
"use strict";

(function () {
  const MOST_BYTES = 300 * 1024;
  const LONGEST_SIDE = 1280;

  function canvasBlob(canvas, quality) {
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  }

  async function shrink(file) {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    let scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
    for (;;) {
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      for (let quality = 0.85; quality >= 0.4; quality -= 0.15) {
        const blob = await canvasBlob(canvas, quality);
        if (blob && blob.size <= MOST_BYTES) return blob;
      }
      scale *= 0.75;  // still too large at a low quality: fewer pixels
    }
  }

  function base64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1]);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  function setUp(box) {
    const d = box.dataset;
    const room = Number(d.room) || 4;
    const input = box.querySelector("input[type=file]");
    const list = box.querySelector("[data-photo-list]");
    const status = box.querySelector("[data-photo-status]");
    // The shrunk copies go in hidden fields; the camera's own files are never sent.
    input.removeAttribute("name");

    function withRemoveButton(item) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip btn-danger";
      remove.textContent = d.remove;
      remove.addEventListener("click", () => item.remove());
      item.append(remove);
    }

    function add(value) {
      const item = document.createElement("li");
      const image = document.createElement("img");
      image.src = "data:image/jpeg;base64," + value;
      image.alt = "";
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "photos";
      hidden.value = value;
      hidden.dataset.photo = "";
      item.append(image, hidden);
      withRemoveButton(item);
      list.append(item);
    }

    // Photos a form sent back with errors still carries.
    for (const item of list.querySelectorAll("li")) withRemoveButton(item);

    input.addEventListener("change", async () => {
      const files = Array.from(input.files || []);
      input.value = "";
      const sizes = [];
      for (const file of files) {
        if (list.children.length >= room) {
          status.textContent = d.tooMany;
          return;
        }
        status.textContent = d.shrinking;
        try {
          const blob = await shrink(file);
          add(await base64(blob));
          sizes.push(d.size.replace("{kb}", String(Math.round(blob.size / 1024))));
          status.textContent = sizes.join(" · ");
        } catch (error) {
          status.textContent = d.failed;
        }
      }
    });

    // An activity reopened from the queue page gets its photos back with its other fields.
    const editing = new URLSearchParams(location.search).get("edit");
    if (editing && window.PhusoQueue) {
      window.PhusoQueue.find(editing).then((item) => {
        for (const value of (item && item.payload.photos) || []) add(value);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const box of document.querySelectorAll("[data-photos]")) setUp(box);
  });
})();
