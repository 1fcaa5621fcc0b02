// Starts Swagger UI on /schema (ticketing/web/schema_page.py). A file, not an inline script: the CSP
// allows scripts from this site only.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null, // no badge fetched from validator.swagger.io
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
