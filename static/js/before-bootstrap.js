// Runs before the Bootstrap Italia bundle: its video player would otherwise inject a <style>
// element, which the Content-Security-Policy (no 'unsafe-inline') refuses.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
