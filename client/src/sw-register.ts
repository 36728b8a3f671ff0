// Registers the service worker that keeps the app shell for offline reloads.
// It lives at /assets/sw.js; the server allows it the scope '/'.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker
    .register('/assets/sw.js', { scope: '/' })
    .then(() => navigator.serviceWorker.ready)
    .then(() => {
      document.documentElement.dataset.sw = 'ready'
    })
    .catch(() => {
      // no offline reloads then; everything else works the same
    })
}
