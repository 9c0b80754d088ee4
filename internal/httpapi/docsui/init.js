// Starts Swagger UI on the served contract. Kept in its own file (not inline) so the page's
// Content-Security-Policy can forbid inline scripts. validatorUrl null: never call an outside
// validator, so the page works with no network.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    displayRequestDuration: true,
    filter: true,
    // Tags start folded: the contract has some 150 operations, and rendering them all at once
    // stalled the page; a tag opens with a click.
    docExpansion: "none",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
