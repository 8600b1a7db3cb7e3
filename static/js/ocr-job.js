// The page of a scan's OCR job (templates/importer/ocr_job.html): ask the job's state every
// second and a half, write "Nhận dạng chữ trang 3/12…" and the bar, and reload the page when the job
// has ended; the server then shows the import's editor, or the reason it failed.
(function () {
  "use strict";

  function words(job) {
    if (job.status === "queued") return "Đang chờ đến lượt nhận dạng chữ…";
    if (job.status === "failed") return "Không đọc được bản quét.";
    if (job.status === "done") return "Đã nhận dạng xong.";
    if (job.total && job.done < job.total) return "Nhận dạng chữ trang " + (job.done + 1) + "/" + job.total + "…";
    return "Đang tách mục và nhiệm vụ…";
  }

  function follow(box) {
    const bar = box.querySelector("[data-ocr-progress]");
    const text = box.querySelector("[data-ocr-words]");
    function tick() {
      fetch(box.dataset.ocrPoll, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
        .then(function (data) {
          const job = data.jobs[0];
          if (!job) return false;
          bar.value = job.percent;
          bar.setAttribute("aria-label", "Tiến độ: " + job.percent + "%");
          text.textContent = words(job);
          if (job.finished) {
            window.location.reload();
            return true;
          }
          return false;
        })
        .catch(function () { return false; })
        .then(function (ended) { if (!ended) window.setTimeout(tick, 1500); });
    }
    window.setTimeout(tick, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ocr-poll][data-finished=false]").forEach(follow);
  });
})();
