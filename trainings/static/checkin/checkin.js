// QR check-in from a phone: the camera decodes a participant's code (qr-scanner, vendored under
// vendor/), the server records it, and the page answers at once with a coloured banner and a
// tone — high for checked in, two mid tones for late or already in, low for refused.
import QrScanner from "./vendor/qr-scanner.min.js";

const section = document.getElementById("scanner");
const banner = document.getElementById("result");
const video = document.getElementById("camera");
const startButton = document.getElementById("start");
const stopButton = document.getElementById("stop");
const typedForm = document.getElementById("typed-code");
const typedField = document.getElementById("code");
const COLOURS = {present: "success", late: "warning", already: "info", refused: "danger"};
const TONES = {present: [880], late: [660, 660], already: [660, 880], refused: [220]};
let audio = null;
let scanner = null;
let lastCode = "";
let lastAt = 0;
let busy = false;

section.hidden = false;

function beep(result) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    (TONES[result] || TONES.refused).forEach((frequency, index) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const start = audio.currentTime + index * 0.18;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.15);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.16);
    });
  } catch (error) { /* no sound on this device: the banner is enough */ }
  if (navigator.vibrate) { navigator.vibrate(result === "refused" ? [80, 60, 80] : 60); }
}

function show(result, message, name, institution) {
  banner.className = `alert alert-${COLOURS[result] || "danger"} text-center fs-5 mb-2`;
  banner.textContent = "";
  if (name) {
    const strong = document.createElement("strong");
    strong.textContent = name;
    banner.append(strong, document.createElement("br"));
  }
  banner.append(message);
  if (institution) {
    const small = document.createElement("small");
    small.className = "d-block";
    small.textContent = institution;
    banner.append(small);
  }
}

async function post(code) {
  const response = await fetch(section.dataset.scanUrl, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "Accept": "application/json",
              "X-CSRF-Token": section.dataset.csrf, "X-Requested-With": "fetch"},
    body: JSON.stringify({code, session: section.dataset.session}),
  });
  const answer = await response.json();
  show(answer.result, answer.message, answer.name, answer.institution);
  beep(answer.result);
}

async function send(code) {
  const now = Date.now();
  if (busy || (code === lastCode && now - lastAt < 4000)) { return; }  // the same badge held in view
  busy = true;
  lastCode = code;
  lastAt = now;
  try {
    await post(code);
  } catch (error) {
    show("refused", section.dataset.offline);
    beep("refused");
  } finally {
    busy = false;
  }
}

// The typed-code field (a USB scanner types the code and Enter): answered in place, and the
// field is emptied and keeps the focus, so the next scan lands in it too.
typedForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = typedField.value.trim();
  if (!code) { typedField.focus(); return; }
  typedField.value = "";
  try {
    await post(code);
  } catch (error) {
    typedField.value = code;
    typedForm.submit();  // the server answers as without JavaScript, and gives the focus back
    return;
  }
  typedField.focus();
});

startButton.addEventListener("click", async () => {
  if (audio === null) {  // browsers only allow sound after a tap
    try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (error) { audio = null; }
  }
  try {
    scanner = scanner || new QrScanner(video, (result) => send(result.data),
                                       {returnDetailedScanResult: true, highlightScanRegion: false,
                                        maxScansPerSecond: 8});
    await scanner.start();
    startButton.hidden = true;
    stopButton.hidden = false;
  } catch (error) {
    show("refused", section.dataset.noCamera);
  }
});

stopButton.addEventListener("click", () => {
  if (scanner) { scanner.stop(); }
  startButton.hidden = false;
  stopButton.hidden = true;
});
