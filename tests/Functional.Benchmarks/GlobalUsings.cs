global using Functional.Core;
