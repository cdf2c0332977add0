// Pictures of entities: displaCy-style HTML for /visualize, `medner predict --html` and the demo page's colours.
export * from "./displacy-html.ts";
