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
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
